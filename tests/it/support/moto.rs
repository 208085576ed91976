//! A real moto_server on a free loopback port.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::proxy::Proxy;

const INSTALL: &str = "python3 cannot import moto's server; install it with \
                       `python3 -m pip install 'moto[server]'` (scripts/test.sh does this)";

/// moto's own server app (what `moto_server` runs), one request at a time. moto is not
/// thread-safe: DescribeParameters iterates an account's parameters while another thread may
/// add one (tests share the server, and the default account), and answered 500 ("dictionary
/// changed size during iteration") about twice a suite run, which the SDK retried, so that
/// exact request counts came out one higher now and then. Each request takes moto a few
/// milliseconds; the tests wait on their proxies' delays and timers, not on moto.
const SERIAL: &str = r#"
import sys, threading
from werkzeug.serving import run_simple
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

app = DomainDispatcherApplication(create_backend_app)
lock = threading.Lock()

def one_at_a_time(environ, start_response):
    with lock:
        return list(app(environ, start_response))

run_simple(sys.argv[1], int(sys.argv[2]), one_at_a_time, threaded=True)
"#;

/// A running moto_server. It is killed when this value drops, and also when the test process
/// ends by any means: a watchdog shell kills it once its stdin (held here) closes.
pub struct Moto {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    child: Child,
    lifeline: Option<ChildStdin>,
}

impl Moto {
    /// Starts a server; panics if moto is missing or does not come up, never skips.
    fn start() -> Moto {
        let importable = Command::new("python3")
            .args(["-c", "import moto.moto_server.werkzeug_app"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        assert!(importable, "{INSTALL}");
        for _ in 0..3 {
            let port = free_port();
            let mut cmd = Command::new("sh");
            cmd.arg("-c")
                .arg("python3 -c \"$0\" 127.0.0.1 \"$1\" >/dev/null 2>&1 & pid=$!; read _; kill $pid; wait $pid")
                .arg(SERIAL)
                .arg(port.to_string())
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            let mut child = cmd
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start moto: {e}"));
            let lifeline = child.stdin.take().expect("piped stdin");
            let url = format!("http://127.0.0.1:{port}");
            let moto = Moto {
                url,
                child,
                lifeline: Some(lifeline),
            };
            if moto.wait_ready(Duration::from_secs(30)) {
                return moto;
            }
        }
        panic!("moto did not start within 30 s three times");
    }

    /// The server all tests share; each test uses its own parameter paths, or its own
    /// accounts ([`Moto::account`]).
    pub fn shared() -> &'static Moto {
        static SHARED: OnceLock<Moto> = OnceLock::new();
        SHARED.get_or_init(Moto::start)
    }

    /// A new AWS account of its own (a unique id) in the shared server, reached through a
    /// proxy that names it on every request: SSM and STS answer as that account, and no other
    /// test sees its parameters. A server start costs 1-2 s; this costs a thread.
    pub fn account() -> Account {
        static NEXT: AtomicU64 = AtomicU64::new(100_000_000_001);
        let id = format!("{:012}", NEXT.fetch_add(1, Ordering::SeqCst));
        let proxy = Proxy::account(&Moto::shared().url, &id);
        Account {
            url: proxy.url.clone(),
            id,
            _proxy: proxy,
        }
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        port_of(&self.url)
    }

    fn wait_ready(&self, limit: Duration) -> bool {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port())) {
                let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
                let req = "GET /moto-api/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
                let mut buf = [0u8; 12];
                if s.write_all(req.as_bytes()).is_ok()
                    && s.read_exact(&mut buf).is_ok()
                    && buf.starts_with(b"HTTP/1.1 200")
                {
                    return true;
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    }
}

/// One account of the shared server (see [`Moto::account`]); its proxy stops on drop.
pub struct Account {
    /// The 12-digit account id.
    pub id: String,
    /// `http://127.0.0.1:PORT`, the endpoint that reaches this account.
    pub url: String,
    _proxy: Proxy,
}

impl Drop for Moto {
    fn drop(&mut self) {
        // Closing stdin makes the watchdog kill the server; then reap the shell.
        drop(self.lifeline.take());
        let _ = self.child.wait();
    }
}

/// The port of an `http://127.0.0.1:PORT` URL.
pub fn port_of(url: &str) -> u16 {
    url.rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port in url")
}

/// A port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("bind a loopback port")
}
