//! Every command over raw RESP bytes.

use std::time::Duration;

use crate::helpers::{command, eventually, spawn_app, text};

macro_rules! assert_reply {
    ($app:expr, $request:expr, $expected:expr) => {{
        let reply = $app.exchange($request).await;
        assert_eq!(
            text(&reply),
            text($expected),
            "request {:?}",
            text($request)
        );
    }};
}

#[tokio::test]
async fn ping_replies_pong_or_its_message() {
    let app = spawn_app().await;
    assert_reply!(app, &command(&[b"PING"]), b"+PONG\r\n");
    assert_reply!(app, &command(&[b"ping", b"hi"]), b"$2\r\nhi\r\n");
}

#[tokio::test]
async fn echo_returns_its_argument() {
    let app = spawn_app().await;
    assert_reply!(
        app,
        &command(&[b"ECHO", b"hello world"]),
        b"$11\r\nhello world\r\n"
    );
}

#[tokio::test]
async fn set_then_get_returns_the_value_and_a_missing_key_is_nil() {
    let app = spawn_app().await;
    let mut request = command(&[b"SET", b"k", b"v\r\nwith binary \x00"]);
    request.extend(command(&[b"GET", b"k"]));
    request.extend(command(&[b"GET", b"missing"]));
    assert_reply!(
        app,
        &request,
        b"+OK\r\n$16\r\nv\r\nwith binary \x00\r\n$-1\r\n"
    );
}

#[tokio::test]
async fn set_nx_and_xx_write_only_when_their_condition_holds() {
    let app = spawn_app().await;
    let request = [
        command(&[b"SET", b"k", b"1", b"XX"]),
        command(&[b"SET", b"k", b"1", b"NX"]),
        command(&[b"SET", b"k", b"2", b"NX"]),
        command(&[b"SET", b"k", b"3", b"xx"]),
        command(&[b"GET", b"k"]),
    ]
    .concat();
    assert_reply!(app, &request, b"$-1\r\n+OK\r\n$-1\r\n+OK\r\n$1\r\n3\r\n");
}

#[tokio::test]
async fn set_get_returns_the_previous_value() {
    let app = spawn_app().await;
    let request = [
        command(&[b"SET", b"k", b"old"]),
        command(&[b"SET", b"k", b"new", b"GET"]),
        command(&[b"SET", b"other", b"x", b"GET"]),
        command(&[b"GET", b"k"]),
    ]
    .concat();
    assert_reply!(app, &request, b"+OK\r\n$3\r\nold\r\n$-1\r\n$3\r\nnew\r\n");
}

#[tokio::test]
async fn a_key_set_with_px_disappears_after_its_ttl() {
    let app = spawn_app().await;
    assert_reply!(
        app,
        &command(&[b"SET", b"t", b"v", b"PX", b"50"]),
        b"+OK\r\n"
    );
    let gone = eventually(Duration::from_secs(3), || async {
        app.exchange(&command(&[b"GET", b"t"])).await == b"$-1\r\n"
    })
    .await;
    assert!(gone, "the key outlived its TTL");
    assert_reply!(app, &command(&[b"EXISTS", b"t"]), b":0\r\n");
}

#[tokio::test]
async fn a_key_set_with_ex_is_readable_before_it_expires() {
    let app = spawn_app().await;
    let request = [
        command(&[b"SET", b"t", b"v", b"EX", b"100"]),
        command(&[b"GET", b"t"]),
    ]
    .concat();
    assert_reply!(app, &request, b"+OK\r\n$1\r\nv\r\n");
}

#[tokio::test]
async fn expired_keys_are_swept_without_being_read() {
    let app = spawn_app().await;
    assert_reply!(
        app,
        &command(&[b"SET", b"t", b"v", b"PX", b"20"]),
        b"+OK\r\n"
    );
    let swept = eventually(Duration::from_secs(3), || async {
        app.exchange(&command(&[b"DBSIZE"])).await == b":0\r\n"
    })
    .await;
    assert!(swept, "the background sweep never removed the key");
    let info = text(&app.exchange(&command(&[b"INFO", b"stats"])).await);
    assert!(info.contains("expired_keys:1\r\n"), "{info}");
}

#[tokio::test]
async fn del_and_exists_count_keys() {
    let app = spawn_app().await;
    let request = [
        command(&[b"MSET", b"a", b"1", b"b", b"2"]),
        command(&[b"EXISTS", b"a", b"b", b"a", b"zz"]),
        command(&[b"DEL", b"a", b"zz"]),
        command(&[b"EXISTS", b"a"]),
    ]
    .concat();
    assert_reply!(app, &request, b"+OK\r\n:3\r\n:1\r\n:0\r\n");
}

#[tokio::test]
async fn mset_stores_every_pair_and_mget_returns_nil_for_missing_keys() {
    let app = spawn_app().await;
    let request = [
        command(&[b"MSET", b"a", b"1", b"b", b"22"]),
        command(&[b"MGET", b"a", b"nope", b"b"]),
    ]
    .concat();
    assert_reply!(
        app,
        &request,
        b"+OK\r\n*3\r\n$1\r\n1\r\n$-1\r\n$2\r\n22\r\n"
    );
}

#[tokio::test]
async fn incr_counts_from_zero_and_refuses_text_and_overflow() {
    let app = spawn_app().await;
    let request = [
        command(&[b"INCR", b"n"]),
        command(&[b"INCR", b"n"]),
        command(&[b"SET", b"s", b"abc"]),
        command(&[b"INCR", b"s"]),
        command(&[b"SET", b"max", b"9223372036854775807"]),
        command(&[b"INCR", b"max"]),
    ]
    .concat();
    let expected: &[u8] = b":1\r\n:2\r\n+OK\r\n-ERR value is not an integer or out of range\r\n\
        +OK\r\n-ERR increment or decrement would overflow\r\n";
    assert_reply!(app, &request, expected);
}

#[tokio::test]
async fn dbsize_counts_keys_and_flushdb_and_flushall_empty_the_store() {
    let app = spawn_app().await;
    let request = [
        command(&[b"MSET", b"a", b"1", b"b", b"2"]),
        command(&[b"DBSIZE"]),
        command(&[b"FLUSHDB"]),
        command(&[b"DBSIZE"]),
        command(&[b"SET", b"c", b"3"]),
        command(&[b"FLUSHALL", b"ASYNC"]),
        command(&[b"DBSIZE"]),
    ]
    .concat();
    assert_reply!(
        app,
        &request,
        b"+OK\r\n:2\r\n+OK\r\n:0\r\n+OK\r\n+OK\r\n:0\r\n"
    );
}

#[tokio::test]
async fn info_reports_hits_misses_evictions_expirations_memory_and_keys() {
    let app = spawn_app().await;
    let request = [
        command(&[b"SET", b"k", b"v"]),
        command(&[b"GET", b"k"]),
        command(&[b"GET", b"nope"]),
    ]
    .concat();
    app.exchange(&request).await;
    let info = text(&app.exchange(&command(&[b"INFO"])).await);
    for field in [
        "keyspace_hits:1\r\n",
        "keyspace_misses:1\r\n",
        "evicted_keys:0\r\n",
        "expired_keys:0\r\n",
        "used_memory:",
        "db0:keys=1,expires=0",
    ] {
        assert!(info.contains(field), "INFO lacks {field:?}: {info}");
    }
}

#[tokio::test]
async fn config_get_answers_what_redis_benchmark_asks_and_nothing_for_unknown_names() {
    let app = spawn_app().await;
    let request = [
        command(&[b"CONFIG", b"GET", b"save"]),
        command(&[b"CONFIG", b"GET", b"appendonly"]),
        command(&[b"CONFIG", b"GET", b"no-such-thing"]),
        command(&[b"CONFIG", b"GET", b"maxmemory-p*"]),
    ]
    .concat();
    let expected: &[u8] = b"*2\r\n$4\r\nsave\r\n$0\r\n\r\n*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n\
        *0\r\n*2\r\n$16\r\nmaxmemory-policy\r\n$11\r\nallkeys-lru\r\n";
    assert_reply!(app, &request, expected);
}

#[tokio::test]
async fn command_docs_is_empty_and_command_count_matches_command() {
    let app = spawn_app().await;
    assert_reply!(app, &command(&[b"COMMAND", b"DOCS"]), b"*0\r\n");
    let count = text(&app.exchange(&command(&[b"COMMAND", b"COUNT"])).await);
    let all = text(&app.exchange(&command(&[b"COMMAND"])).await);
    let n: usize = count.trim_start_matches(':').trim().parse().unwrap();
    assert!(all.starts_with(&format!("*{n}\r\n")), "{all}");
    assert!(n >= 17, "{n}");
}

#[tokio::test]
async fn quit_replies_ok_and_closes_the_connection() {
    let app = spawn_app().await;
    let mut request = command(&[b"QUIT"]);
    request.extend(command(&[b"PING"]));
    assert_eq!(text(&app.exchange_until_closed(&request).await), "+OK\r\n");
}

#[tokio::test]
async fn inline_commands_typed_in_telnet_work_with_quotes() {
    let app = spawn_app().await;
    let request = b"SET greeting \"hello world\"\r\nGET greeting\r\n\r\nping\n";
    assert_reply!(app, request, b"+OK\r\n$11\r\nhello world\r\n+PONG\r\n");
}
