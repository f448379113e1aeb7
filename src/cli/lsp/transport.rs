//! The protocol's framing over stdin and stdout: `Content-Length` headers, then a JSON-RPC
//! message (`lsp_server::Message`). Unlike a strict reader, this one survives what a broken
//! client may send: a header it cannot read is skipped, a body that is not a message is
//! reported on stderr and dropped, and only the end of stdin (or a length no client would
//! send) ends the session.

use lsp_server::Message;
use std::io::{self, BufRead, Read, Write};
use std::sync::mpsc::{Receiver, Sender, channel};

/// No message is longer than this (a config of 64 MiB is far past cilint's own limits).
const MAX_MESSAGE: usize = 64 << 20;

/// What the reader hands the server.
pub enum Incoming {
    Message(Message),
    /// A body that is not a JSON-RPC message.
    Garbage(String),
}

/// Read messages from `input` on a thread of its own; the channel closes at the end of input.
pub fn reader(input: impl Read + Send + 'static) -> Receiver<Incoming> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let mut input = io::BufReader::new(input);
        while let Some(body) = read_body(&mut input) {
            let incoming = match serde_json::from_slice::<Message>(&body) {
                Ok(m) => Incoming::Message(m),
                Err(e) => Incoming::Garbage(e.to_string()),
            };
            if tx.send(incoming).is_err() {
                break;
            }
        }
    });
    rx
}

/// The next message's body, skipping what is not a header; `None` at the end of input.
fn read_body(input: &mut impl BufRead) -> Option<Vec<u8>> {
    let mut length = None;
    let mut line = Vec::new();
    // Headers, up to an empty line after a length (empty lines before one are skipped).
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line).ok()? == 0 {
            return None;
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if length.is_some() {
                break;
            }
            continue;
        }
        if let Some((name, value)) = text.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let length = length?;
    if length > MAX_MESSAGE {
        eprintln!("cilint lsp: a message of {length} bytes is over the limit; stopping");
        return None;
    }
    let mut body = vec![0; length];
    input.read_exact(&mut body).ok()?;
    Some(body)
}

/// Write messages to `output` on a thread of its own, until the channel closes.
pub fn writer(
    output: impl Write + Send + 'static,
) -> (Sender<Message>, std::thread::JoinHandle<()>) {
    let (tx, rx) = channel::<Message>();
    let handle = std::thread::spawn(move || {
        let mut output = io::BufWriter::new(output);
        for message in rx {
            if message.write(&mut output).is_err() || output.flush().is_err() {
                break;
            }
        }
    });
    (tx, handle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_what_is_not_a_header() {
        let body = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let text = format!(
            "garbage line\r\nX-Other: 1\r\n\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        let mut input = io::Cursor::new(text.into_bytes());
        assert_eq!(read_body(&mut input).unwrap(), body.as_bytes());
        assert!(read_body(&mut input).is_none());
    }
}
