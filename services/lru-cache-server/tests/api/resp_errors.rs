//! Redis' error replies: the wording is Redis 7's and the connection stays open; protocol
//! errors reply and close.

use crate::helpers::{command, spawn_app, text};

async fn reply_to(request: &[u8]) -> String {
    let app = spawn_app().await;
    text(&app.exchange(request).await)
}

#[tokio::test]
async fn an_unknown_command_is_named_with_the_start_of_its_arguments() {
    let reply = reply_to(&command(&[b"foo", b"a", b"b"])).await;
    assert_eq!(
        reply,
        "-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n"
    );
    let alone = reply_to(b"frobnicate\r\n").await;
    assert_eq!(
        alone,
        "-ERR unknown command 'frobnicate', with args beginning with: \r\n"
    );
}

#[tokio::test]
async fn wrong_arity_names_the_command_in_lower_case() {
    let request = [
        command(&[b"GET"]),
        command(&[b"get", b"a", b"b"]),
        command(&[b"MSET", b"a", b"1", b"b"]),
        command(&[b"CONFIG", b"GET"]),
        command(&[b"PING", b"a", b"b"]),
    ]
    .concat();
    let expected = "-ERR wrong number of arguments for 'get' command\r\n\
        -ERR wrong number of arguments for 'get' command\r\n\
        -ERR wrong number of arguments for 'mset' command\r\n\
        -ERR wrong number of arguments for 'config|get' command\r\n\
        -ERR wrong number of arguments for 'ping' command\r\n";
    assert_eq!(reply_to(&request).await, expected);
}

#[tokio::test]
async fn conflicting_or_unknown_set_options_are_a_syntax_error() {
    let request = [
        command(&[b"SET", b"k", b"v", b"NX", b"XX"]),
        command(&[b"SET", b"k", b"v", b"EX", b"1", b"PX", b"1"]),
        command(&[b"SET", b"k", b"v", b"EX"]),
        command(&[b"SET", b"k", b"v", b"BOGUS"]),
    ]
    .concat();
    assert_eq!(reply_to(&request).await, "-ERR syntax error\r\n".repeat(4));
}

#[tokio::test]
async fn a_bad_expire_time_is_refused_like_redis() {
    let request = [
        command(&[b"SET", b"k", b"v", b"EX", b"soon"]),
        command(&[b"SET", b"k", b"v", b"PX", b"0"]),
        command(&[b"SET", b"k", b"v", b"EX", b"9223372036854775807"]),
    ]
    .concat();
    let expected = "-ERR value is not an integer or out of range\r\n\
        -ERR invalid expire time in 'set' command\r\n\
        -ERR invalid expire time in 'set' command\r\n";
    assert_eq!(reply_to(&request).await, expected);
}

#[tokio::test]
async fn unknown_subcommands_point_at_help() {
    let request = [
        command(&[b"CONFIG", b"SET", b"x", b"y"]),
        command(&[b"COMMAND", b"nope"]),
    ]
    .concat();
    let expected = "-ERR unknown subcommand 'SET'. Try CONFIG HELP.\r\n\
        -ERR unknown subcommand 'nope'. Try COMMAND HELP.\r\n";
    assert_eq!(reply_to(&request).await, expected);
}

#[tokio::test]
async fn the_connection_keeps_serving_after_command_errors() {
    let request = [command(&[b"nope"]), command(&[b"GET"]), command(&[b"PING"])].concat();
    let reply = reply_to(&request).await;
    assert!(reply.ends_with("+PONG\r\n"), "{reply}");
}

#[tokio::test]
async fn protocol_errors_reply_and_close_the_connection() {
    let app = spawn_app().await;
    let cases: [(&[u8], &str); 6] = [
        (
            b"*x\r\n",
            "-ERR Protocol error: invalid multibulk length\r\n",
        ),
        (
            b"*1\r\n:1\r\n",
            "-ERR Protocol error: expected '$', got ':'\r\n",
        ),
        (
            b"*1\r\n$-1\r\n",
            "-ERR Protocol error: invalid bulk length\r\n",
        ),
        (
            b"*1\r\n$abc\r\n",
            "-ERR Protocol error: invalid bulk length\r\n",
        ),
        (
            b"*1\r\n$4\r\nPINGxx",
            "-ERR Protocol error: bulk data is not followed by CRLF\r\n",
        ),
        (
            b"SET k \"unbalanced\r\n",
            "-ERR Protocol error: unbalanced quotes in request\r\n",
        ),
    ];
    for (request, expected) in cases {
        let mut request = request.to_vec();
        request.extend(command(&[b"PING"]));
        let reply = app.exchange_until_closed(&request).await;
        assert_eq!(text(&reply), expected, "request {:?}", text(&request));
    }
}

#[tokio::test]
async fn declared_lengths_over_the_caps_are_refused_before_any_allocation() {
    let app = spawn_app().await;
    let huge_count = app.exchange_until_closed(b"*1048577\r\n").await;
    assert_eq!(
        text(&huge_count),
        "-ERR Protocol error: invalid multibulk length\r\n"
    );
    let huge_bulk = app.exchange_until_closed(b"*1\r\n$536870913\r\n").await;
    assert_eq!(
        text(&huge_bulk),
        "-ERR Protocol error: invalid bulk length\r\n"
    );
    let long_line = app.exchange_until_closed(&vec![b'a'; 70_000]).await;
    assert_eq!(
        text(&long_line),
        "-ERR Protocol error: too big inline request\r\n"
    );
    let header = [b"*1".as_slice(), &vec![b'1'; 70_000]].concat();
    let long_header = app.exchange_until_closed(&header).await;
    assert_eq!(
        text(&long_header),
        "-ERR Protocol error: too big mbulk count string\r\n"
    );
}
