//! [`TcpProxy`] as a process, for fault tests that span whole services (scripts/chaos.sh).
//!
//! `fault_proxy NAME=HOST:PORT...` starts one proxy per link on a free local port and prints
//! `NAME PORT` for each, then `control PORT`: a TCP port taking one command a line,
//! `blackhole NAME`, `cut NAME`, `reset NAME` (close open connections, keep accepting) or
//! `restore NAME`, each answered `ok` once the fault is in force, or `error <why>`.
//! Stops on SIGTERM or SIGINT.

use std::{collections::HashMap, io::Write, sync::Arc};
use test_support::TcpProxy;
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::{TcpListener, TcpStream},
    signal::unix::{SignalKind, signal},
};

type Proxies = Arc<HashMap<String, TcpProxy>>;

fn apply(proxies: &Proxies, line: &str) -> String {
    let mut words = line.split_whitespace();
    let (Some(command), Some(name), None) = (words.next(), words.next(), words.next()) else {
        return "error expected '<command> <link>'".to_owned();
    };
    let Some(proxy) = proxies.get(name) else {
        return format!("error no link named '{name}'");
    };
    match command {
        "blackhole" => proxy.blackhole(),
        "cut" => proxy.cut(),
        "reset" => proxy.reset_connections(),
        "restore" => proxy.restore(),
        other => return format!("error unknown command '{other}'"),
    }
    "ok".to_owned()
}

async fn serve_control(stream: TcpStream, proxies: Proxies) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let answer = apply(&proxies, &line);
        eprintln!("fault_proxy: {line} -> {answer}");
        if write
            .write_all(format!("{answer}\n").as_bytes())
            .await
            .is_err()
        {
            return;
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut proxies = HashMap::new();
    let mut stdout = std::io::stdout();
    for argument in std::env::args().skip(1) {
        let Some((name, target)) = argument.split_once('=') else {
            eprintln!("fault_proxy: '{argument}' is not NAME=HOST:PORT");
            std::process::exit(2);
        };
        let proxy = TcpProxy::start(target);
        writeln!(stdout, "{name} {}", proxy.port()).expect("stdout");
        proxies.insert(name.to_owned(), proxy);
    }
    let proxies: Proxies = Arc::new(proxies);
    let control = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("control bind");
    let port = control.local_addr().expect("control address").port();
    writeln!(stdout, "control {port}").expect("stdout");
    stdout.flush().expect("stdout");

    let mut terminate = signal(SignalKind::terminate()).expect("SIGTERM handler");
    let mut interrupt = signal(SignalKind::interrupt()).expect("SIGINT handler");
    loop {
        tokio::select! {
            accepted = control.accept() => {
                if let Ok((stream, _)) = accepted {
                    tokio::spawn(serve_control(stream, proxies.clone()));
                }
            }
            _ = terminate.recv() => break,
            _ = interrupt.recv() => break,
        }
    }
}
