//! A minimal HTTP/1.1 keep-alive GET client on a tokio `TcpStream`, for `flood`.
//!
//! Why not hyper's client: on a 2-CPU box where the load generator and the server share the
//! CPUs, the client's cost per request decides the request rate. hyper's client connection
//! (request/response objects, header maps, a dispatcher channel) measured about 1.7× wrk's
//! CPU time per request; this client writes one pre-built request and parses just the status
//! line and the three headers that frame the body (Content-Length, Transfer-Encoding,
//! Connection), like wrk. It supports exactly what a load generator needs: GET, keep-alive,
//! fixed-length, chunked and close-delimited bodies, 1xx interim answers. No I/O but its own
//! socket; owns no file format.

use std::io;
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Why an exchange failed.
#[derive(Debug)]
pub enum ExchangeError {
    /// The connection was closed before any byte of the answer (a kept-alive connection the
    /// server closed meanwhile: retry on a new one).
    ClosedBeforeAnswer,
    Io(io::Error),
    /// Not HTTP, or a malformed answer.
    Protocol(&'static str),
}

impl From<io::Error> for ExchangeError {
    fn from(e: io::Error) -> Self {
        ExchangeError::Io(e)
    }
}

/// The bytes of `GET path HTTP/1.1` with a Host header.
pub fn get_request(path: &str, host_header: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: {host_header}\r\nUser-Agent: edgeshift-flood\r\nAccept: */*\r\n\r\n")
        .into_bytes()
}

/// One connection with its read buffer.
pub struct Http1Conn {
    stream: TcpStream,
    buf: Vec<u8>,
    head: usize,
    tail: usize,
}

struct Head {
    status: u16,
    keep_alive: bool,
    body: Body,
}

enum Body {
    None,
    Length(usize),
    Chunked,
    UntilClose,
}

impl Http1Conn {
    pub async fn connect(addr: SocketAddr) -> io::Result<Http1Conn> {
        let stream = TcpStream::connect(addr).await?;
        let _ = stream.set_nodelay(true);
        Ok(Http1Conn {
            stream,
            buf: vec![0; 16 * 1024],
            head: 0,
            tail: 0,
        })
    }

    /// Sends `request` and reads one whole answer: (status, connection still usable).
    pub async fn exchange(&mut self, request: &[u8]) -> Result<(u16, bool), ExchangeError> {
        let fresh = self.head == self.tail;
        if let Err(e) = self.stream.write_all(request).await {
            return Err(match e.kind() {
                io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset if fresh => {
                    ExchangeError::ClosedBeforeAnswer
                }
                _ => ExchangeError::Io(e),
            });
        }
        let mut first = true;
        loop {
            let head = self.read_head(first).await?;
            first = false;
            if (100..200).contains(&head.status) {
                continue; // interim answer, the real one follows
            }
            let keep = match head.body {
                Body::None => head.keep_alive,
                Body::Length(n) => {
                    self.skip(n).await?;
                    head.keep_alive
                }
                Body::Chunked => {
                    self.skip_chunked().await?;
                    head.keep_alive
                }
                Body::UntilClose => {
                    while self.fill().await? > 0 {
                        self.head = self.tail;
                    }
                    false
                }
            };
            return Ok((head.status, keep));
        }
    }

    fn avail(&self) -> &[u8] {
        &self.buf[self.head..self.tail]
    }

    fn consume(&mut self, n: usize) {
        self.head += n;
        if self.head == self.tail {
            self.head = 0;
            self.tail = 0;
        }
    }

    /// Reads more bytes; 0 at end of stream.
    async fn fill(&mut self) -> io::Result<usize> {
        if self.tail == self.buf.len() {
            if self.head > 0 {
                self.buf.copy_within(self.head..self.tail, 0);
                self.tail -= self.head;
                self.head = 0;
            } else {
                let len = self.buf.len();
                self.buf.resize(len * 2, 0);
            }
        }
        let n = self.stream.read(&mut self.buf[self.tail..]).await?;
        self.tail += n;
        Ok(n)
    }

    async fn read_head(&mut self, first: bool) -> Result<Head, ExchangeError> {
        let mut scanned: usize = 0;
        loop {
            let a = self.avail();
            if let Some(pos) = find(&a[scanned.saturating_sub(3)..], b"\r\n\r\n") {
                let end = scanned.saturating_sub(3) + pos + 4;
                let head = parse_head(&a[..end])?;
                self.consume(end);
                return Ok(head);
            }
            scanned = a.len();
            if scanned > 64 * 1024 {
                return Err(ExchangeError::Protocol("answer head larger than 64 KiB"));
            }
            if self.fill().await? == 0 {
                return Err(if first && self.avail().is_empty() {
                    ExchangeError::ClosedBeforeAnswer
                } else {
                    ExchangeError::Protocol("connection closed in the answer head")
                });
            }
        }
    }

    async fn skip(&mut self, mut n: usize) -> Result<(), ExchangeError> {
        while n > 0 {
            if self.avail().is_empty() && self.fill().await? == 0 {
                return Err(ExchangeError::Protocol("connection closed in the body"));
            }
            let take = n.min(self.avail().len());
            self.consume(take);
            n -= take;
        }
        Ok(())
    }

    /// The length of the next line (without CRLF), reading as needed.
    async fn line(&mut self) -> Result<usize, ExchangeError> {
        loop {
            if let Some(p) = find(self.avail(), b"\r\n") {
                return Ok(p);
            }
            if self.fill().await? == 0 {
                return Err(ExchangeError::Protocol(
                    "connection closed in a chunked body",
                ));
            }
        }
    }

    async fn skip_chunked(&mut self) -> Result<(), ExchangeError> {
        loop {
            let len = self.line().await?;
            let size_text = &self.avail()[..len];
            let hex = size_text.split(|&b| b == b';').next().unwrap_or_default();
            let hex =
                std::str::from_utf8(hex).map_err(|_| ExchangeError::Protocol("bad chunk size"))?;
            let size = usize::from_str_radix(hex.trim(), 16)
                .map_err(|_| ExchangeError::Protocol("bad chunk size"))?;
            self.consume(len + 2);
            if size == 0 {
                // Trailers, up to an empty line.
                loop {
                    let l = self.line().await?;
                    self.consume(l + 2);
                    if l == 0 {
                        return Ok(());
                    }
                }
            }
            self.skip(size + 2).await?;
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn parse_head(h: &[u8]) -> Result<Head, ExchangeError> {
    let bad = ExchangeError::Protocol;
    let text = std::str::from_utf8(h).map_err(|_| bad("answer head is not text"))?;
    let mut lines = text.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let rest = status_line
        .strip_prefix("HTTP/1.")
        .ok_or(bad("not an HTTP/1 answer"))?;
    let minor = rest.as_bytes().first().copied();
    let code = rest.get(2..5).ok_or(bad("no status code"))?;
    let status: u16 = code.parse().map_err(|_| bad("bad status code"))?;
    let mut keep_alive = minor == Some(b'1');
    let mut length = None;
    let mut chunked = false;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            length = Some(
                value
                    .parse::<usize>()
                    .map_err(|_| bad("bad Content-Length"))?,
            );
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = value.to_ascii_lowercase().contains("chunked");
        } else if name.eq_ignore_ascii_case("connection") {
            let v = value.to_ascii_lowercase();
            if v.contains("close") {
                keep_alive = false;
            } else if v.contains("keep-alive") {
                keep_alive = true;
            }
        }
    }
    let body = if (100..200).contains(&status) || status == 204 || status == 304 {
        Body::None
    } else if chunked {
        Body::Chunked
    } else if let Some(n) = length {
        Body::Length(n)
    } else {
        keep_alive = false;
        Body::UntilClose
    };
    Ok(Head {
        status,
        keep_alive,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    /// A server that answers each request on one connection with the next canned answer.
    async fn canned(answers: Vec<&'static [u8]>) -> SocketAddr {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut s, _) = l.accept().await.unwrap();
            let mut b = [0u8; 4096];
            for a in answers {
                let _ = s.read(&mut b).await;
                // Write in two pieces to exercise partial reads.
                let (x, y) = a.split_at(a.len() / 2);
                s.write_all(x).await.unwrap();
                s.flush().await.unwrap();
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                s.write_all(y).await.unwrap();
            }
        });
        addr
    }

    #[tokio::test]
    async fn reads_length_chunked_interim_and_close_delimited_answers() {
        let addr = canned(vec![
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=1\r\nhello\r\n3\r\nabc\r\n0\r\nTrailer: t\r\n\r\n",
            b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 2\r\nConnection: close\r\n\r\nno",
        ])
        .await;
        let mut c = Http1Conn::connect(addr).await.unwrap();
        let req = get_request("/", "x");
        assert_eq!(c.exchange(&req).await.unwrap(), (200, true));
        assert_eq!(c.exchange(&req).await.unwrap(), (404, true));
        assert_eq!(c.exchange(&req).await.unwrap(), (200, true));
        assert_eq!(c.exchange(&req).await.unwrap(), (503, false));

        let addr = canned(vec![b"HTTP/1.0 200 OK\r\n\r\nuntil close"]).await;
        let mut c = Http1Conn::connect(addr).await.unwrap();
        assert_eq!(c.exchange(&req).await.unwrap(), (200, false));

        let addr = canned(vec![b"SSH-2.0-OpenSSH_9.2\r\n\r\n"]).await;
        let mut c = Http1Conn::connect(addr).await.unwrap();
        assert!(matches!(
            c.exchange(&req).await,
            Err(ExchangeError::Protocol(_))
        ));
    }
}
