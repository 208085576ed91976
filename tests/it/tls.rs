//! HTTPS: the built-in roots, AWS_CA_BUNDLE for a network that inspects TLS, and a bad bundle.
//! moto is reached through a TLS front whose certificate comes from a throwaway CA, as through a
//! company's inspecting proxy.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::moto::port_of;
use crate::support::{TestEnv, project};

/// Makes a CA and a certificate for 127.0.0.1 signed by it (with python's `cryptography`, which
/// moto depends on), then serves TLS on a free port and relays each connection to `upstream`.
/// Lives until dropped.
struct TlsFront {
    url: String,
    ca: PathBuf,
    child: Child,
    _lifeline: ChildStdin,
}

const FRONT: &str = r#"
import datetime, os, select, socket, ssl, sys, threading
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
import ipaddress

upstream, out = int(sys.argv[1]), sys.argv[2]
now = datetime.datetime.now(datetime.timezone.utc)
def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
ca_key = ec.generate_private_key(ec.SECP256R1())
ca = (x509.CertificateBuilder().subject_name(name("secrets test CA")).issuer_name(name("secrets test CA"))
      .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
      .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=2))
      .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
      .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                     data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                     encipher_only=False, decipher_only=False), critical=True)
      .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
      .sign(ca_key, hashes.SHA256()))
key = ec.generate_private_key(ec.SECP256R1())
cert = (x509.CertificateBuilder().subject_name(name("127.0.0.1")).issuer_name(ca.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256()))
pem = serialization.Encoding.PEM
open(os.path.join(out, "ca.pem"), "wb").write(ca.public_bytes(pem))
open(os.path.join(out, "cert.pem"), "wb").write(cert.public_bytes(pem))
open(os.path.join(out, "key.pem"), "wb").write(key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                                                  serialization.NoEncryption()))
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(os.path.join(out, "cert.pem"), os.path.join(out, "key.pem"))
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(16)

def handle(conn):
    try:
        tls = ctx.wrap_socket(conn, server_side=True)
    except (OSError, ssl.SSLError):
        conn.close()
        return
    up = socket.create_connection(("127.0.0.1", upstream))
    # One thread per connection, never two: an SSL object must not be read in one thread while
    # it is written in another (OpenSSL's rule; doing so garbled a response now and then).
    tls.settimeout(5)
    try:
        while True:
            ready = [tls] if tls.pending() else select.select([tls, up], [], [], 30)[0]
            if not ready:
                break
            if tls in ready:
                try:
                    data = tls.recv(65536)
                except (TimeoutError, socket.timeout, ssl.SSLWantReadError):
                    continue
                if not data:
                    break
                up.sendall(data)
            if up in ready:
                data = up.recv(65536)
                if not data:
                    break
                tls.sendall(data)
    except (OSError, ssl.SSLError):
        pass
    for s in (tls, up):
        try:
            s.close()
        except OSError:
            pass

def serve():
    while True:
        conn, _ = server.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()

threading.Thread(target=serve, daemon=True).start()
print(server.getsockname()[1], flush=True)
sys.stdin.read()
"#;

impl TlsFront {
    fn start(upstream_port: u16, dir: &Path) -> TlsFront {
        let mut child = Command::new("python3")
            .args(["-c", FRONT, &upstream_port.to_string()])
            .arg(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 for the TLS front");
        let lifeline = child.stdin.take().expect("piped stdin");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped stdout"))
            .read_line(&mut line)
            .expect("the TLS front's port");
        let port: u16 = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("the TLS front did not start: {line:?}"));
        TlsFront {
            url: format!("https://127.0.0.1:{port}"),
            ca: dir.join("ca.pem"),
            child,
            _lifeline: lifeline,
        }
    }
}

impl Drop for TlsFront {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn setup(stem: &str) -> (TestEnv, String, TlsFront) {
    let mut env = TestEnv::new();
    let p = project(stem);
    env.seed(&[(&format!("/k8s/{p}/TLS_VALUE"), &format!("{stem}-over-tls"))]);
    let front = TlsFront::start(port_of(&env.moto_url), &env.home());
    (env, p, front)
}

#[test]
fn an_unknown_ca_is_refused_with_a_hint_and_aws_ca_bundle_lets_it_through() {
    let (env, p, front) = setup("tls");
    let started = Instant::now();
    let run = env
        .cmd(&["get", &p, "--file", "-", "--endpoint-url", &front.url])
        .run();
    run.expect_code(1);
    // Not retried until --timeout (30 s) runs out: a refused certificate is final.
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(run.stderr.contains("certificate"), "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "hint: if your network inspects TLS, point AWS_CA_BUNDLE (or --ca-bundle) at its CA \
             certificate in PEM form"
        ),
        "{}",
        run.stderr
    );

    let run = env
        .cmd(&["get", &p, "--file", "-", "--endpoint-url", &front.url])
        .env("AWS_CA_BUNDLE", &front.ca)
        .values_on_stdout()
        .run();
    run.expect_code(0);
    assert_eq!(run.stdout, "export TLS_VALUE='tls-over-tls'\n");

    // The flag does the same.
    let ca = front.ca.to_string_lossy().to_string();
    let run = env
        .cmd(&[
            "get",
            &p,
            "--file",
            "-",
            "--endpoint-url",
            &front.url,
            "--ca-bundle",
            &ca,
        ])
        .values_on_stdout()
        .run();
    run.expect_code(0);
    assert_eq!(run.stdout, "export TLS_VALUE='tls-over-tls'\n");
}

#[test]
fn a_bundle_that_is_not_pem_is_exit_2_before_any_request() {
    let env = TestEnv::new();
    let junk = env.home().join("junk.pem");
    std::fs::write(&junk, "not a certificate\n").expect("write");
    let run = env
        .cmd(&["get", &project("badca"), "--file", "-"])
        .env("AWS_CA_BUNDLE", &junk)
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .run();
    run.expect_code(2);
    assert_eq!(
        run.stderr,
        format!(
            "error: cannot use the CA bundle {}: it holds no PEM certificate\n\
             hint: point AWS_CA_BUNDLE (or --ca-bundle) at a PEM file of CA certificates, or \
             unset it\n",
            junk.display()
        )
    );
}

#[test]
fn an_empty_aws_ca_bundle_counts_as_unset() {
    let mut env = TestEnv::new();
    let p = project("emptyca");
    env.seed(&[(&format!("/k8s/{p}/EMPTY_CA"), "empty-ca-value")]);
    let run = env
        .cmd(&["get", &p, "--file", "-", "--endpoint-url", &env.endpoint])
        .env("AWS_CA_BUNDLE", "")
        .values_on_stdout()
        .run();
    run.expect_code(0);
    assert_eq!(run.stdout, "export EMPTY_CA='empty-ca-value'\n");
}
