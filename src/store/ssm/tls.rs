//! Which certificate authorities TLS trusts: Mozilla's roots, built into the binary (the AWS CLI
//! and Node ship the same list), plus the PEM bundle named by `--ca-bundle` / AWS_CA_BUNDLE for
//! a network that inspects TLS. The SDK's default reads the operating system's store on every
//! run instead: one file per authority on Linux (start-up to the first request went from 10.8
//! to 7.4 ms without it, BENCHMARKS.md) and the keychain on macOS.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::rustls_provider::CryptoMode;
use aws_smithy_http_client::tls::{Provider, TlsContext, TrustStore};
use aws_smithy_http_client::{Builder, ConnectorBuilder};
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use aws_smithy_runtime_api::client::interceptors::context::InterceptorContext;
use aws_smithy_runtime_api::client::retries::classifiers::{
    ClassifyRetry, RetryAction, RetryClassifierPriority,
};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

use crate::store::StoreError;

/// An HTTPS client trusting Mozilla's roots and those in `bundle`, honouring HTTPS_PROXY and
/// NO_PROXY as the SDK's own client does.
pub(super) fn http_client(bundle: Option<&Path>) -> Result<SharedHttpClient, StoreError> {
    let mut store = TrustStore::empty().with_native_roots(false);
    for root in webpki_root_certs::TLS_SERVER_ROOT_CERTS {
        store.add_pem_certificate(pem(root));
    }
    if let Some(path) = bundle {
        for cert in read_bundle(path)? {
            store.add_pem_certificate(pem(&cert));
        }
    }
    let context = TlsContext::builder()
        .with_trust_store(store)
        .build()
        .map_err(|e| StoreError::CaBundle {
            path: bundle.map(Path::to_path_buf).unwrap_or_default(),
            reason: e.to_string(),
        })?;
    Ok(
        Builder::new().build_with_connector_fn(move |settings, components| {
            let mut connector = ConnectorBuilder::default()
                .tls_provider(Provider::Rustls(CryptoMode::AwsLc))
                .tls_context(context.clone());
            connector.set_connector_settings(settings.cloned());
            if let Some(components) = components {
                connector.set_sleep_impl(components.sleep_impl());
            }
            connector.set_proxy_config(Some(ProxyConfig::from_env()));
            connector.build()
        }),
    )
}

/// Stops the SDK from retrying a request whose connection failed on the server's certificate:
/// another attempt meets the same certificate, and the retries would use up `--timeout` and
/// end as "timed out", hiding the reason.
#[derive(Debug)]
pub(super) struct CertificateErrorsAreFinal;

impl ClassifyRetry for CertificateErrorsAreFinal {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        match ctx.output_or_error() {
            Some(Err(err))
                if err
                    .as_connector_error()
                    .is_some_and(|c| is_certificate_error(c)) =>
            {
                RetryAction::RetryForbidden
            }
            _ => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "certificate errors are final"
    }

    fn priority(&self) -> RetryClassifierPriority {
        RetryClassifierPriority::run_after(RetryClassifierPriority::transient_error_classifier())
    }
}

/// How many failed connections (refused, no such host, TLS handshake) one store retries in
/// all, whatever the request. The SDK retries them as transient with backoff until
/// `--timeout`, so an endpoint where nothing listens ended, after 30 s, as "timed out": with
/// this bound the answer is "cannot connect" within about three seconds (backoff of up to
/// 1 s, then 2 s), and a connection that fails once on a flaky network still gets its retry.
const CONNECT_RETRIES: u32 = 2;

/// Forbids retrying a failed connection once [`CONNECT_RETRIES`] retries were spent; shared
/// by the SSM and STS clients of one store (clones count together).
#[derive(Debug, Clone, Default)]
pub(super) struct ConnectRetries(Arc<AtomicU32>);

impl ClassifyRetry for ConnectRetries {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        match ctx.output_or_error() {
            Some(Err(err))
                if err
                    .as_connector_error()
                    .is_some_and(|c| is_connect_error(c)) =>
            {
                match self.0.fetch_add(1, Ordering::SeqCst) < CONNECT_RETRIES {
                    true => RetryAction::NoActionIndicated,
                    false => RetryAction::RetryForbidden,
                }
            }
            _ => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "failed connections are retried twice in all"
    }

    fn priority(&self) -> RetryClassifierPriority {
        RetryClassifierPriority::run_after(RetryClassifierPriority::transient_error_classifier())
    }
}

/// Whether this error is a connection that could not be made (as opposed to one that broke
/// after the request was sent, which is retried as before).
pub(super) fn is_connect_error(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur = Some(err);
    while let Some(e) = cur {
        if let Some(client) = e.downcast_ref::<hyper_util::client::legacy::Error>() {
            return client.is_connect();
        }
        cur = e.source();
    }
    false
}

/// Whether TLS refused the server's certificate somewhere in this error's chain.
pub(super) fn is_certificate_error(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur = Some(err);
    while let Some(e) = cur {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return matches!(
                tls,
                rustls::Error::InvalidCertificate(_) | rustls::Error::NoCertificatesPresented
            );
        }
        // An io::Error's source() skips the error it wraps, so look inside it first.
        cur = match e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => e.source(),
        };
    }
    false
}

/// The certificates of a PEM bundle, each checked to be usable as a root: the SDK panics on
/// one it cannot parse, so nothing unchecked may reach it.
fn read_bundle(path: &Path) -> Result<Vec<CertificateDer<'static>>, StoreError> {
    let fail = |reason: String| StoreError::CaBundle {
        path: PathBuf::from(path),
        reason,
    };
    let bytes = std::fs::read(path).map_err(|e| fail(format!("cannot read it: {e}")))?;
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| fail(format!("it is not valid PEM: {e}")))?;
    if certs.is_empty() {
        return Err(fail("it holds no PEM certificate".to_string()));
    }
    let mut roots = rustls::RootCertStore::empty();
    for (i, cert) in certs.iter().enumerate() {
        roots
            .add(cert.clone())
            .map_err(|e| fail(format!("certificate {} cannot be parsed: {e}", i + 1)))?;
    }
    Ok(certs)
}

/// DER as a PEM block, the only form the SDK's trust store takes.
fn pem(der: &[u8]) -> Vec<u8> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut b64 = Vec::with_capacity(der.len().div_ceil(3) * 4);
    for chunk in der.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            b64.push(if i <= chunk.len() {
                ALPHABET[(n >> (18 - 6 * i)) as usize & 63]
            } else {
                b'='
            });
        }
    }
    let mut out = b"-----BEGIN CERTIFICATE-----\n".to_vec();
    for line in b64.chunks(64) {
        out.extend_from_slice(line);
        out.push(b'\n');
    }
    out.extend_from_slice(b"-----END CERTIFICATE-----\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_round_trips_through_the_parser_the_sdk_uses() {
        for der in [
            &[][..],
            &[1][..],
            &[1, 2][..],
            &[1, 2, 3][..],
            &[0xff; 100][..],
        ] {
            let back = CertificateDer::pem_slice_iter(&pem(der))
                .collect::<Result<Vec<_>, _>>()
                .expect("valid PEM");
            assert_eq!(back.len(), 1);
            assert_eq!(back[0].as_ref(), der);
        }
    }

    #[test]
    fn every_built_in_root_is_usable() {
        let mut roots = rustls::RootCertStore::empty();
        let (valid, invalid) = roots
            .add_parsable_certificates(webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter().cloned());
        assert!(valid > 100, "{valid} roots");
        assert_eq!(invalid, 0);
    }

    #[test]
    fn a_bad_bundle_is_refused_with_the_reason() {
        let dir = tempfile::tempdir().expect("temp dir");
        let check = |name: &str, text: &[u8]| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).expect("write");
            match read_bundle(&path) {
                Err(StoreError::CaBundle { reason, .. }) => reason,
                other => panic!("{name}: {other:?}"),
            }
        };
        assert_eq!(check("empty.pem", b""), "it holds no PEM certificate");
        assert!(check("junk.pem", &pem(b"not a certificate")).contains("certificate 1"));
        let missing = dir.path().join("missing.pem");
        assert!(matches!(
            read_bundle(&missing),
            Err(StoreError::CaBundle { reason, .. }) if reason.starts_with("cannot read it")
        ));
    }
}
