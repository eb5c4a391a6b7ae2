//! The wire: JSON-RPC messages framed by a `Content-Length` header, read on one thread and
//! written on another. lsp-server's own reader stops at the first malformed message; this one
//! answers it (a parse error, or an invalid request, as JSON-RPC says) and reads on, so that
//! nothing a client sends can stop the server. It stops only when the input ends.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::thread;

use crossbeam_channel::{Receiver, Sender, bounded, unbounded};
use lsp_server::Message;
use serde_json::{Value, json};

/// The largest message read (a claim file of 256 MiB, JSON-escaped, fits).
const MAX_MESSAGE: usize = 600 * 1024 * 1024;

/// What the reader thread passes on.
#[derive(Debug)]
pub enum Incoming {
    Message(Message),
    /// A frame that is no message: the error response to send back.
    Malformed(Value),
}

/// The channels to the client: messages read, and frames to write. The writer thread ends
/// when every sender of frames is dropped; `writer` is joined to flush the last ones.
pub struct Wire {
    pub incoming: Receiver<Incoming>,
    pub outgoing: Sender<Vec<u8>>,
    pub writer: thread::JoinHandle<()>,
}

/// Start the reader and writer threads.
pub fn start<R, W>(input: R, output: W) -> io::Result<Wire>
where
    R: Read + Send + 'static,
    W: Write + Send + 'static,
{
    let (out_tx, out_rx) = unbounded::<Vec<u8>>();
    let (in_tx, in_rx) = bounded::<Incoming>(64);
    let writer = thread::Builder::new()
        .name("prov-lsp-writer".into())
        .spawn(move || write_loop(output, out_rx))?;
    thread::Builder::new()
        .name("prov-lsp-reader".into())
        .spawn(move || read_loop(BufReader::new(input), in_tx))?;
    Ok(Wire {
        incoming: in_rx,
        outgoing: out_tx,
        writer,
    })
}

/// A message as framed bytes.
pub fn frame(msg: &Message) -> Vec<u8> {
    let mut buf = Vec::new();
    // Writing into a Vec cannot fail, and serialising lsp-server's types cannot either.
    let _ = msg.write(&mut buf);
    buf
}

/// A JSON value as framed bytes.
pub fn frame_value(v: &Value) -> Vec<u8> {
    let body = v.to_string();
    let mut buf = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    buf.extend_from_slice(body.as_bytes());
    buf
}

fn write_loop<W: Write>(mut output: W, frames: Receiver<Vec<u8>>) {
    for f in frames {
        if output.write_all(&f).and_then(|()| output.flush()).is_err() {
            // The client is gone: nothing more can be said.
            return;
        }
    }
}

/// Say on stderr what went wrong with the input (stdout is the protocol's).
fn complain(what: &str) {
    let line = format!("prov lsp: {}\n", crate::escape::inline(what));
    let _ = io::stderr().write_all(line.as_bytes());
}

fn read_loop<R: BufRead>(mut input: R, messages: Sender<Incoming>) {
    loop {
        let body = match read_frame(&mut input) {
            Ok(Some(body)) => body,
            Ok(None) => return, // the end of the input: the client closed it
            Err(e) => {
                complain(&format!("cannot read a message: {e}"));
                if e.kind() == io::ErrorKind::UnexpectedEof {
                    return;
                }
                continue;
            }
        };
        let item = match parse(&body) {
            Ok(msg) => Incoming::Message(msg),
            Err(reply) => {
                complain(&format!(
                    "answered a malformed message: {}",
                    reply["error"]["message"]
                ));
                Incoming::Malformed(reply)
            }
        };
        if messages.send(item).is_err() {
            return; // the server loop has ended
        }
    }
}

/// A message from its JSON text, or the error response to send back (JSON-RPC 2.0: a parse
/// error for text that is not JSON, an invalid request for JSON that is not a message).
fn parse(body: &[u8]) -> Result<Message, Value> {
    let error = |id: Value, code: i32, message: String| json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}});
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| error(Value::Null, -32700, format!("parse error: {e}")))?;
    let id = match value.get("id") {
        Some(id @ (Value::Number(_) | Value::String(_))) => id.clone(),
        _ => Value::Null,
    };
    match serde_json::from_value::<Message>(value) {
        Ok(msg) => Ok(msg),
        Err(e) => Err(error(id, -32600, format!("invalid request: {e}"))),
    }
}

/// Read one frame's body. `Ok(None)` at the end of the input; an error for a frame that cannot
/// be read (the reader then looks for the next header).
fn read_frame<R: BufRead>(input: &mut R) -> io::Result<Option<Vec<u8>>> {
    let mut length: Option<usize> = None;
    let mut line = Vec::new();
    let mut seen_header = false;
    loop {
        line.clear();
        // A header line is short; a client sending a gigabyte without a line break is not
        // speaking LSP.
        let n = input
            .by_ref()
            .take(64 * 1024)
            .read_until(b'\n', &mut line)?;
        if n == 0 {
            return if seen_header {
                Err(io::ErrorKind::UnexpectedEof.into())
            } else {
                Ok(None)
            };
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if !seen_header {
                continue; // stray blank lines between frames
            }
            break;
        }
        seen_header = true;
        if let Some((name, value)) = text.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok();
        }
    }
    let Some(length) = length else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "a header without a valid Content-Length",
        ));
    };
    if length > MAX_MESSAGE {
        // Skip it: reading it would take the memory of the machine.
        io::copy(&mut input.by_ref().take(length as u64), &mut io::sink())?;
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("a message of {length} bytes, more than the {MAX_MESSAGE} prov reads"),
        ));
    }
    let mut body = vec![0; length];
    input.read_exact(&mut body)?;
    Ok(Some(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framed(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn frames_are_read_and_bad_ones_skipped() {
        let input = format!(
            "{}{}Content-Type: x\r\n\r\n{}",
            framed(r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#),
            framed("not json"),
            framed(r#"{"jsonrpc":"2.0","method":"exit"}"#),
        );
        let mut r = io::Cursor::new(input.into_bytes());
        let a = read_frame(&mut r).unwrap().unwrap();
        assert!(matches!(parse(&a), Ok(Message::Request(_))));
        let b = read_frame(&mut r).unwrap().unwrap();
        let reply = parse(&b).unwrap_err();
        assert_eq!(reply["error"]["code"], -32700);
        assert_eq!(reply["id"], Value::Null);
        // A header without Content-Length is an error, and the reader goes on.
        assert!(read_frame(&mut r).is_err());
        let c = read_frame(&mut r).unwrap().unwrap();
        assert!(matches!(parse(&c), Ok(Message::Notification(_))));
        assert!(read_frame(&mut r).unwrap().is_none());
    }

    #[test]
    fn json_that_is_no_message_is_an_invalid_request_with_its_id() {
        let reply = parse(br#"{"jsonrpc":"2.0","id":7,"params":[]}"#).unwrap_err();
        assert_eq!(reply["error"]["code"], -32600);
        assert_eq!(reply["id"], 7);
        let reply = parse(br#"[1, 2]"#).unwrap_err();
        assert_eq!(reply["id"], Value::Null);
    }

    #[test]
    fn an_oversized_frame_is_skipped_not_read() {
        let input = format!("Content-Length: {}\r\n\r\n", MAX_MESSAGE + 1);
        let mut r = io::Cursor::new(input.into_bytes());
        assert!(read_frame(&mut r).is_err());
    }
}
