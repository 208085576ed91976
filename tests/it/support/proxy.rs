//! A fault-injecting HTTP proxy between the binary and moto: it forwards requests and,
//! following its rules, answers some of them with AWS errors instead.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// What to answer instead of forwarding.
#[derive(Debug, Clone)]
pub enum Reply {
    /// An AWS JSON error with this HTTP status and `__type`.
    AwsError(u16, &'static str),
    /// A 200 response with this JSON body (for APIs moto lacks, like the SSO portal).
    Json(String),
    /// Hold the connection open without answering for this long, then close it.
    Stall(Duration),
    /// Forward, but reset the connection after this many bytes of the response.
    ResetAfter(usize),
    /// Forward, but send only half the body under the full Content-Length, then close.
    Truncate,
    /// Forward after this delay.
    Delay(Duration),
}

/// Answer the matching requests number `skip` to `skip + times - 1` (0-based) with `reply`.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Operation: an SSM target (`GetParametersByPath`), an STS action (`GetCallerIdentity`),
    /// the SSO portal's `GetRoleCredentials`, or SSO OIDC's `RegisterClient`,
    /// `StartDeviceAuthorization`, `CreateToken`.
    pub op: &'static str,
    /// Matching requests forwarded before the fault starts.
    pub skip: usize,
    /// How many matching requests get the fault.
    pub times: usize,
    /// Of those, only every `every`-th (1: all of them; 2: every other one).
    pub every: usize,
    /// The fault.
    pub reply: Reply,
}

impl Rule {
    /// Answers matching requests `skip` to `skip + times - 1`, every `every`-th, with `reply`.
    pub fn new(op: &'static str, skip: usize, times: usize, every: usize, reply: Reply) -> Rule {
        Rule {
            op,
            skip,
            times,
            every,
            reply,
        }
    }
}

/// A running proxy; stops on drop.
pub struct Proxy {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// Operations seen, in order.
    pub seen: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    port: u16,
}

impl Proxy {
    /// Listens on a free loopback port and forwards to `upstream` (`http://127.0.0.1:PORT`).
    pub fn start(upstream: &str, rules: Vec<Rule>) -> Proxy {
        Self::spawn(upstream, rules, None)
    }

    /// Forwards to `upstream` with the header `x-moto-account-id: account` added, so that one
    /// moto_server holds this account's SSM and answers its STS calls.
    pub fn account(upstream: &str, account: &str) -> Proxy {
        Self::spawn(
            upstream,
            Vec::new(),
            Some(format!("x-moto-account-id: {account}")),
        )
    }

    fn spawn(upstream: &str, rules: Vec<Rule>, header: Option<String>) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let port = listener.local_addr().expect("addr").port();
        let upstream = upstream.trim_start_matches("http://").to_string();
        let stop = Arc::new(AtomicBool::new(false));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let counts = Arc::new(Mutex::new(vec![0usize; rules.len()]));
        let rules = Arc::new(rules);
        let header = Arc::new(header);
        let (stop2, seen2) = (stop.clone(), seen.clone());
        thread::spawn(move || {
            for conn in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let (up, rules, counts, seen, header) = (
                    upstream.clone(),
                    rules.clone(),
                    counts.clone(),
                    seen2.clone(),
                    header.clone(),
                );
                thread::spawn(move || {
                    let _ = serve(conn, &up, &rules, &counts, &seen, header.as_deref());
                });
            }
        });
        Proxy {
            url: format!("http://127.0.0.1:{port}"),
            seen,
            stop,
            port,
        }
    }

    /// How many requests for `op` arrived.
    pub fn count(&self, op: &str) -> usize {
        self.seen
            .lock()
            .map(|s| s.iter().filter(|o| *o == op).count())
            .unwrap_or(0)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn serve(
    mut conn: TcpStream,
    upstream: &str,
    rules: &[Rule],
    counts: &Mutex<Vec<usize>>,
    seen: &Mutex<Vec<String>>,
    header: Option<&str>,
) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(30)))?;
    let (mut head, body) = read_request(&mut conn)?;
    if let Some(header) = header {
        head = format!("{}\r\n{header}\r\n\r\n", head.trim_end_matches("\r\n"));
    }
    let op = operation(&head, &body);
    seen.lock()
        .map_err(|_| std::io::Error::other("poisoned"))?
        .push(op.clone());
    let fault = {
        let mut counts = counts
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?;
        let mut fault = None;
        for (i, rule) in rules.iter().enumerate() {
            if rule.op == op {
                let n = counts[i];
                counts[i] += 1;
                let hit = n >= rule.skip
                    && n < rule.skip.saturating_add(rule.times)
                    && (n - rule.skip) % rule.every.max(1) == 0;
                if fault.is_none() && hit {
                    fault = Some(rule.reply.clone());
                }
            }
        }
        fault
    };
    let response = match fault {
        Some(Reply::AwsError(status, code)) => {
            let body = format!("{{\"__type\":\"{code}\",\"message\":\"injected {code}\"}}");
            format!(
                "HTTP/1.1 {status} Injected\r\nContent-Type: application/x-amz-json-1.1\r\n\
                 x-amzn-query-error: {code};Sender\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
            .into_bytes()
        }
        Some(Reply::Json(body)) => format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
        Some(Reply::Stall(d)) => {
            thread::sleep(d);
            return conn.shutdown(Shutdown::Both);
        }
        Some(Reply::ResetAfter(n)) => {
            let response = forward(upstream, &head, &body)?;
            conn.write_all(&response[..n.min(response.len())])?;
            // SO_LINGER 0 turns the close into a TCP reset.
            let _ = socket2::SockRef::from(&conn).set_linger(Some(Duration::ZERO));
            return Ok(());
        }
        Some(Reply::Truncate) => {
            let response = forward(upstream, &head, &body)?;
            let end = find(&response, b"\r\n\r\n").map_or(response.len(), |i| i + 4);
            let cut = end + (response.len() - end) / 2;
            conn.write_all(&response[..cut])?;
            return conn.shutdown(Shutdown::Both);
        }
        Some(Reply::Delay(d)) => {
            thread::sleep(d);
            forward(upstream, &head, &body)?
        }
        None => forward(upstream, &head, &body)?,
    };
    conn.write_all(&response)?;
    conn.shutdown(Shutdown::Both)
}

fn read_request(conn: &mut TcpStream) -> std::io::Result<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i + 4;
        }
        let n = conn.read(&mut chunk)?;
        if n == 0 {
            return Err(std::io::Error::other("closed before headers"));
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let len = header(&head, "content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0usize);
    let mut body = buf[head_end..].to_vec();
    while body.len() < len {
        let n = conn.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Ok((head, body))
}

fn forward(upstream: &str, head: &str, body: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut up = TcpStream::connect(upstream)?;
    up.write_all(with_close(head).as_bytes())?;
    up.write_all(body)?;
    let mut response = Vec::new();
    up.read_to_end(&mut response)?;
    // moto closing without a whole head is passed on as a closed connection (which the SDK
    // retries), never as a made-up head that the client would reject as not HTTP at all.
    let end = match find(&response, b"\r\n\r\n") {
        Some(i) if response.starts_with(b"HTTP/") => i + 4,
        _ => {
            return Err(std::io::Error::other(format!(
                "upstream closed after {} bytes without a response head",
                response.len()
            )));
        }
    };
    let head = String::from_utf8_lossy(&response[..end]).into_owned();
    let mut out = with_close(&head).into_bytes();
    out.extend_from_slice(&response[end..]);
    Ok(out)
}

/// The head with any Connection header replaced by `Connection: close`.
fn with_close(head: &str) -> String {
    let mut lines: Vec<&str> = head
        .trim_end_matches("\r\n")
        .split("\r\n")
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
        .collect();
    lines.push("Connection: close");
    format!("{}\r\n\r\n", lines.join("\r\n"))
}

fn operation(head: &str, body: &[u8]) -> String {
    // The SSO portal and SSO OIDC (REST JSON, named by path), which moto lacks.
    let path = head.split(' ').nth(1).unwrap_or_default();
    for (prefix, op) in [
        ("/federation/credentials", "GetRoleCredentials"),
        ("/client/register", "RegisterClient"),
        ("/device_authorization", "StartDeviceAuthorization"),
        ("/token", "CreateToken"),
    ] {
        if path.starts_with(prefix) {
            return op.to_string();
        }
    }
    if let Some(target) = header(head, "x-amz-target") {
        return target.rsplit('.').next().unwrap_or_default().to_string();
    }
    String::from_utf8_lossy(body)
        .split('&')
        .find_map(|kv| kv.strip_prefix("Action="))
        .unwrap_or("unknown")
        .to_string()
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.split("\r\n").find_map(|line| {
        let (k, v) = line.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
