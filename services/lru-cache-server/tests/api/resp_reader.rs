//! Reading a known number of RESP2/RESP3 replies, for exchanges where the helpers' sentinel
//! request cannot be used (inside MULTI it would be queued, not answered).

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::REPLY_TIMEOUT;

/// Sends `request` and returns the bytes of the next `count` replies.
pub async fn send_and_read(stream: &mut TcpStream, request: &[u8], count: usize) -> Vec<u8> {
    stream.write_all(request).await.expect("request sent");
    let mut buf = Vec::new();
    let read = async {
        let mut chunk = vec![0u8; 64 * 1024];
        loop {
            if complete_replies(&buf) >= Some(count) {
                return;
            }
            let n = stream.read(&mut chunk).await.expect("reply readable");
            assert!(n > 0, "closed after {:?}", String::from_utf8_lossy(&buf));
            buf.extend_from_slice(&chunk[..n]);
        }
    };
    tokio::time::timeout(REPLY_TIMEOUT, read)
        .await
        .expect("the replies arrive in time");
    buf
}

/// How many whole replies `buf` holds (`None` if it ends inside one).
fn complete_replies(buf: &[u8]) -> Option<usize> {
    let mut pos = 0;
    let mut count = 0;
    while pos < buf.len() {
        pos = reply_end(buf, pos)?;
        count += 1;
    }
    Some(count)
}

/// Where the reply starting at `pos` ends.
fn reply_end(buf: &[u8], pos: usize) -> Option<usize> {
    let line_end = pos + buf.get(pos..)?.windows(2).position(|w| w == b"\r\n")?;
    let line = std::str::from_utf8(&buf[pos + 1..line_end]).ok()?;
    let after = line_end + 2;
    match buf[pos] {
        b'$' | b'=' | b'!' => {
            let len: i64 = line.parse().ok()?;
            if len < 0 {
                return Some(after);
            }
            let end = after + usize::try_from(len).ok()? + 2;
            (end <= buf.len()).then_some(end)
        }
        b'*' | b'~' | b'%' | b'>' => {
            let len: i64 = line.parse().ok()?;
            let items = if buf[pos] == b'%' { len * 2 } else { len };
            let mut at = after;
            for _ in 0..items.max(0) {
                at = reply_end(buf, at)?;
            }
            Some(at)
        }
        _ => Some(after),
    }
}
