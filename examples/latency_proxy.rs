//! A benchmark tool, not part of `secrets`: a TCP proxy that adds latency, and a probe that
//! times how long a command takes to send its first request.
//!
//! ```text
//! latency_proxy proxy --upstream 127.0.0.1:5000 --delay-ms 20 [--listen 127.0.0.1:0]
//!     Prints the address it listens on, then relays HTTP/1.1 requests to the upstream, each
//!     held `delay` on the way there and its answer `delay` on the way back (a round trip
//!     costs 2 × delay). A new connection waits one round trip before anything flows, as a
//!     TCP handshake would.
//! latency_proxy first-byte --runs 20 -- CMD ARGS...
//!     Runs CMD RUNS times with every `{url}` in its arguments replaced by the address of a
//!     listener, and prints min/median/max milliseconds from spawning CMD to the first byte
//!     of its first request. CMD is killed once that byte arrives.
//! ```
//! Used by `scripts/bench.sh`; built with `cargo build --release --example latency_proxy`.

use std::net::SocketAddr;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("proxy") => proxy(&args[1..]),
        Some("first-byte") => first_byte(&args[1..]),
        _ => Err("usage: latency_proxy proxy|first-byte ... (see the file's header)".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("latency_proxy: {message}");
            ExitCode::from(2)
        }
    }
}

/// The value after `--flag`, if given.
fn flag<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}

fn proxy(args: &[String]) -> Result<(), String> {
    let upstream: SocketAddr = flag(args, "--upstream")
        .ok_or("proxy needs --upstream HOST:PORT")?
        .parse()
        .map_err(|e| format!("bad --upstream: {e}"))?;
    let listen = flag(args, "--listen").unwrap_or("127.0.0.1:0").to_string();
    let delay = Duration::from_millis(
        flag(args, "--delay-ms")
            .unwrap_or("20")
            .parse()
            .map_err(|e| format!("bad --delay-ms: {e}"))?,
    );
    // Plain threads: a thread's sleep is accurate to tens of microseconds, where tokio's
    // timer rounds up to the next millisecond (about 2 ms too much per round trip).
    let listener =
        TcpListener::bind(&listen).map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    println!("{local}");
    std::io::stdout().flush().map_err(|e| e.to_string())?;
    for client in listener.incoming() {
        let client = client.map_err(|e| e.to_string())?;
        std::thread::spawn(move || relay(client, upstream, delay));
    }
    Ok(())
}

/// One client connection: a handshake's round trip, then each request delivered `delay` after
/// it arrived and each answer `delay` after the upstream gave it. moto answers every request
/// with `Connection: close`, which AWS does not, so each request gets its own upstream
/// connection and the client's connection is kept open, as it would be with AWS.
fn relay(mut client: TcpStream, upstream: SocketAddr, delay: Duration) {
    std::thread::sleep(delay * 2);
    let _ = client.set_nodelay(true);
    let mut pending = Vec::new();
    while let Some((request, arrived)) = read_request(&mut client, &mut pending) {
        sleep_until(arrived + delay);
        let Some((answer, answered)) = exchange(upstream, &request) else {
            return;
        };
        sleep_until(answered + delay);
        if client.write_all(&answer).is_err() {
            return;
        }
    }
}

fn sleep_until(due: Instant) {
    std::thread::sleep(due.saturating_duration_since(Instant::now()));
}

/// One HTTP/1.1 request (head and a Content-Length body) from the client and when its last
/// byte arrived, or None at the connection's end.
fn read_request(from: &mut TcpStream, pending: &mut Vec<u8>) -> Option<(Vec<u8>, Instant)> {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        if let Some(head_end) = find(pending, b"\r\n\r\n") {
            let length = header(&pending[..head_end], "content-length")
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(0);
            let total = head_end + 4 + length;
            if pending.len() >= total {
                return Some((pending.drain(..total).collect(), Instant::now()));
            }
        }
        match from.read(&mut buf) {
            Ok(0) | Err(_) => return None,
            Ok(n) => pending.extend_from_slice(&buf[..n]),
        }
    }
}

/// Sends one request on a new upstream connection and returns the whole answer, without its
/// `Connection: close`, and when it was complete. The answer ends where its Content-Length
/// says (moto holds the connection open for several milliseconds after answering), else at
/// the connection's end.
fn exchange(upstream: SocketAddr, request: &[u8]) -> Option<(Vec<u8>, Instant)> {
    let mut server = TcpStream::connect(upstream).ok()?;
    let _ = server.set_nodelay(true);
    server.write_all(request).ok()?;
    let mut answer = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        if let Some(head_end) = find(&answer, b"\r\n\r\n") {
            let length =
                header(&answer[..head_end], "content-length").and_then(|v| v.parse::<usize>().ok());
            if length.is_some_and(|n| answer.len() >= head_end + 4 + n) {
                break;
            }
        }
        match server.read(&mut buf).ok()? {
            0 => break,
            n => answer.extend_from_slice(&buf[..n]),
        }
    }
    let answered = Instant::now();
    let head_end = find(&answer, b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&answer[..head_end]).to_string();
    let body = answer[head_end + 4..].to_vec();
    let mut lines: Vec<String> = head
        .split("\r\n")
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
        .map(str::to_string)
        .collect();
    let framed = header(&answer[..head_end], "content-length").is_some()
        || header(&answer[..head_end], "transfer-encoding").is_some();
    if !framed {
        lines.push(format!("Content-Length: {}", body.len()));
    }
    let mut out = lines.join("\r\n").into_bytes();
    out.extend_from_slice(b"\r\n\r\n");
    out.extend_from_slice(&body);
    Some((out, answered))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A header's value from an HTTP head, by case-insensitive name.
fn header(head: &[u8], name: &str) -> Option<String> {
    String::from_utf8_lossy(head)
        .split("\r\n")
        .skip(1)
        .find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim()
                .eq_ignore_ascii_case(name)
                .then(|| value.trim().to_string())
        })
}

fn first_byte(args: &[String]) -> Result<(), String> {
    let runs: usize = flag(args, "--runs")
        .unwrap_or("20")
        .parse()
        .map_err(|e| format!("bad --runs: {e}"))?;
    let command = args
        .iter()
        .position(|a| a == "--")
        .map(|i| &args[i + 1..])
        .filter(|c| !c.is_empty())
        .ok_or("first-byte needs -- CMD ARGS...")?;
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        // A listener per run: connections a killed run left in the backlog must not count.
        let listener =
            TcpListener::bind("127.0.0.1:0").map_err(|e| format!("cannot listen: {e}"))?;
        let url = format!(
            "http://{}",
            listener.local_addr().map_err(|e| e.to_string())?
        );
        let argv: Vec<String> = command.iter().map(|a| a.replace("{url}", &url)).collect();
        let started = Instant::now();
        let mut child = Command::new(&argv[0])
            .args(&argv[1..])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", argv[0]))?;
        let mut conn = accept_or_exit(&listener, &mut child, &argv[0])?;
        let mut byte = [0u8; 1];
        conn.read_exact(&mut byte).map_err(|e| e.to_string())?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        let _ = child.kill();
        let _ = child.wait();
    }
    times.sort_by(f64::total_cmp);
    let (min, median, max) = (times[0], times[times.len() / 2], times[times.len() - 1]);
    println!("{min:.2} {median:.2} {max:.2}");
    Ok(())
}

/// The command's first connection; an error if it exits without making one.
fn accept_or_exit(
    listener: &TcpListener,
    child: &mut std::process::Child,
    name: &str,
) -> Result<TcpStream, String> {
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    loop {
        match listener.accept() {
            Ok((conn, _)) => {
                conn.set_nonblocking(false).map_err(|e| e.to_string())?;
                return Ok(conn);
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if let Ok(Some(status)) = child.try_wait() {
                    return Err(format!(
                        "{name} exited ({status}) without sending a request"
                    ));
                }
                std::thread::sleep(Duration::from_micros(50));
            }
            Err(e) => return Err(e.to_string()),
        }
    }
}
