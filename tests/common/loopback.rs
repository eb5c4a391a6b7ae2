//! A tiny HTTP/1.1 server on 127.0.0.1 for capture tests: each test starts its own, with a
//! handler that answers each request with exact bytes (or slowly, or endlessly). No test
//! touches any other address. Include with `#[path = "common/loopback.rs"] mod loopback;`.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// A request as the server read it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// Names lowercased.
    pub headers: Vec<(String, String)>,
    pub raw: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// How to answer.
pub enum Reply {
    /// These bytes, then close.
    Raw(Vec<u8>),
    /// These bytes, then wait, then close.
    Stall(Vec<u8>, Duration),
    /// These bytes, then `x` forever (until the client hangs up, at most 4 GiB).
    Endless(Vec<u8>),
}

/// A complete response with Content-Length.
pub fn ok(content_type: &str, body: &[u8]) -> Reply {
    Reply::Raw(response(200, "OK", &[("Content-Type", content_type)], body))
}

/// Status line, fields, Content-Length, body.
pub fn response(status: u16, reason: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} {reason}\r\n").into_bytes();
    for (n, v) in headers {
        out.extend_from_slice(format!("{n}: {v}\r\n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(body);
    out
}

pub fn redirect(status: u16, location: &str) -> Reply {
    Reply::Raw(response(status, "Redirect", &[("Location", location)], b""))
}

pub struct Server {
    pub addr: SocketAddr,
    pub requests: Arc<Mutex<Vec<Request>>>,
    /// The most connections open at once.
    pub max_concurrent: Arc<AtomicUsize>,
}

impl Server {
    /// Serve on 127.0.0.1, a thread per connection. `/robots.txt` goes to the handler too.
    pub fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let max_concurrent = Arc::new(AtomicUsize::new(0));
        let open = Arc::new(AtomicUsize::new(0));
        let handler = Arc::new(handler);
        let (reqs, maxc) = (requests.clone(), max_concurrent.clone());
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (handler, reqs, maxc, open) =
                    (handler.clone(), reqs.clone(), maxc.clone(), open.clone());
                thread::spawn(move || {
                    let n = open.fetch_add(1, Ordering::SeqCst) + 1;
                    maxc.fetch_max(n, Ordering::SeqCst);
                    serve(stream, &*handler, &reqs);
                    open.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        Server {
            addr,
            requests,
            max_concurrent,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn paths(&self) -> Vec<String> {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .map(|r| r.path.clone())
            .collect()
    }
}

fn serve(stream: TcpStream, handler: &dyn Fn(&Request) -> Reply, reqs: &Mutex<Vec<Request>>) {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut raw = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        raw.extend_from_slice(line.as_bytes());
        if line == "\r\n" || line == "\n" || raw.len() > 65536 {
            break;
        }
    }
    let text = String::from_utf8_lossy(&raw).into_owned();
    let mut lines = text.lines();
    let first = lines.next().unwrap_or("");
    let mut parts = first.split(' ');
    let method = parts.next().unwrap_or("").to_string();
    let path = parts.next().unwrap_or("").to_string();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let request = Request {
        method,
        path,
        headers,
        raw,
    };
    reqs.lock().unwrap().push(request.clone());
    let mut stream = stream;
    match handler(&request) {
        Reply::Raw(bytes) => {
            let _ = stream.write_all(&bytes);
        }
        Reply::Stall(bytes, pause) => {
            let _ = stream.write_all(&bytes);
            let _ = stream.flush();
            thread::sleep(pause);
        }
        Reply::Endless(head) => {
            let _ = stream.write_all(&head);
            let chunked = String::from_utf8_lossy(&head).contains("chunked");
            let mut chunk = vec![b'x'; 64 * 1024];
            if chunked {
                chunk.splice(0..0, b"10000\r\n".iter().copied());
                chunk.extend_from_slice(b"\r\n");
            }
            for _ in 0..65536 {
                if stream.write_all(&chunk).is_err() {
                    break;
                }
            }
        }
    }
    let _ = stream.flush();
    let _ = stream.shutdown(std::net::Shutdown::Write);
    // Drain what the client still sends, so closing does not reset the connection.
    let mut sink = [0u8; 1024];
    let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
    while matches!(reader.get_mut().read(&mut sink), Ok(n) if n > 0) {}
}
