//! The bench's HTTP floor: the least an HTTP server can do per request. It reads each request
//! (headers and a `content-length` body) and answers `202` with a fixed body shaped like
//! `send_event`'s, with no routing, parsing, validation or publishing. wrk against it measures
//! what the load generator, the kernel's TCP and the runtime cost per request on this machine,
//! which any HTTP service pays on top of its own work. `bench/event_gateway.sh` combines it
//! with the ceiling into the most that machine allows (`bench/README.md`).
//!
//! Listens on `127.0.0.1:HTTP_PORT` (default 18786) with tokio's multi-thread runtime (one worker
//! per core, as actix-web's default). Not a server to use: it trusts its client.
//!
//! `FLOOR_SERVER=actix` serves the same answer through actix-web instead (default workers, one
//! route `POST /{client}/{event}/send_event` that reads the body and answers, no middleware):
//! the least a service built on the SPEC's fixed HTTP framework pays per request.

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

const BODY: &str =
    r#"{"event_id":"019ab1c2-3d4e-7f60-8a9b-0c1d2e3f4a5b","routing_key":"bench.Fruits"}"#;

fn main() -> anyhow::Result<()> {
    let port: u16 = std::env::var("HTTP_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(18786);
    match std::env::var("FLOOR_SERVER").as_deref() {
        Ok("actix") => actix_web::rt::System::new().block_on(actix_floor(port)),
        Ok("tokio") | Err(_) => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?
            .block_on(tokio_floor(port)),
        Ok(other) => anyhow::bail!("FLOOR_SERVER must be tokio or actix, not {other:?}"),
    }
}

/// The floor through actix-web: one route, the body read, the fixed answer.
async fn actix_floor(port: u16) -> anyhow::Result<()> {
    use actix_web::{App, HttpResponse, HttpServer, web};
    HttpServer::new(|| {
        App::new().route(
            "/{client}/{event}/send_event",
            web::post().to(|_body: web::Bytes| async {
                HttpResponse::Accepted()
                    .content_type("application/json")
                    .body(BODY)
            }),
        )
    })
    .bind(("127.0.0.1", port))?
    .run()
    .await?;
    Ok(())
}

/// The floor with nothing but tokio: read a whole request, write the fixed answer.
async fn tokio_floor(port: u16) -> anyhow::Result<()> {
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    let response: &'static [u8] = format!(
        "HTTP/1.1 202 Accepted\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{BODY}",
        BODY.len()
    )
    .into_bytes()
    .leak();
    loop {
        let (stream, _) = listener.accept().await?;
        tokio::spawn(async move {
            if let Err(error) = answer(stream, response).await {
                eprintln!("http_floor: connection ended: {error}");
            }
        });
    }
}

/// Answers every request on `stream` with `response` until the client closes it.
async fn answer(mut stream: TcpStream, response: &[u8]) -> anyhow::Result<()> {
    stream.set_nodelay(true)?;
    let mut buffer = vec![0u8; 16 * 1024];
    let mut filled = 0;
    loop {
        while let Some(length) = request_length(&buffer[..filled])? {
            buffer.copy_within(length..filled, 0);
            filled -= length;
            stream.write_all(response).await?;
        }
        if filled == buffer.len() {
            anyhow::bail!("request larger than {} bytes", buffer.len());
        }
        match stream.read(&mut buffer[filled..]).await? {
            0 => return Ok(()),
            read => filled += read,
        }
    }
}

/// The length of the first complete request in `bytes` (headers and body), if it is all there.
fn request_length(bytes: &[u8]) -> anyhow::Result<Option<usize>> {
    let Some(end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Ok(None);
    };
    let mut body = 0;
    for line in bytes[..end].split(|&b| b == b'\n') {
        if let Some((name, value)) = line.split_at_checked(15)
            && name.eq_ignore_ascii_case(b"content-length:")
        {
            body = std::str::from_utf8(value)?.trim().parse()?;
        }
    }
    let length = end + 4 + body;
    Ok((bytes.len() >= length).then_some(length))
}
