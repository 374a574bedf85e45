//! TTLs: SETEX, PSETEX, EXPIRE, PEXPIRE, TTL, PTTL, KEEPTTL.

use std::time::Duration;

use crate::helpers::{command, eventually, spawn_app, text};

#[tokio::test]
async fn setex_sets_a_ttl_that_ttl_reports() {
    let app = spawn_app().await;
    let request = [
        command(&[b"SETEX", b"k", b"100", b"v"]),
        command(&[b"TTL", b"k"]),
        command(&[b"GET", b"k"]),
        command(&[b"SETEX", b"k", b"0", b"v"]),
    ]
    .concat();
    let expected = "+OK\r\n:100\r\n$1\r\nv\r\n-ERR invalid expire time in 'setex' command\r\n";
    assert_eq!(text(&app.exchange(&request).await), expected);
}

#[tokio::test]
async fn ttl_is_minus_one_without_expiry_and_minus_two_for_a_missing_key() {
    let app = spawn_app().await;
    let request = [
        command(&[b"SET", b"k", b"v"]),
        command(&[b"TTL", b"k"]),
        command(&[b"PTTL", b"missing"]),
    ]
    .concat();
    assert_eq!(text(&app.exchange(&request).await), "+OK\r\n:-1\r\n:-2\r\n");
}

#[tokio::test]
async fn expire_conditions_follow_redis() {
    let app = spawn_app().await;
    let request = [
        command(&[b"SET", b"k", b"v"]),
        command(&[b"EXPIRE", b"k", b"100", b"XX"]),
        command(&[b"EXPIRE", b"k", b"100", b"NX"]),
        command(&[b"EXPIRE", b"k", b"50", b"GT"]),
        command(&[b"EXPIRE", b"k", b"50", b"LT"]),
        command(&[b"TTL", b"k"]),
        command(&[b"EXPIRE", b"missing", b"10"]),
    ]
    .concat();
    let expected = "+OK\r\n:0\r\n:1\r\n:0\r\n:1\r\n:50\r\n:0\r\n";
    assert_eq!(text(&app.exchange(&request).await), expected);
}

#[tokio::test]
async fn an_expire_in_the_past_deletes_the_key() {
    let app = spawn_app().await;
    let request = [
        command(&[b"SET", b"k", b"v"]),
        command(&[b"EXPIRE", b"k", b"-1"]),
        command(&[b"EXISTS", b"k"]),
    ]
    .concat();
    assert_eq!(text(&app.exchange(&request).await), "+OK\r\n:1\r\n:0\r\n");
}

#[tokio::test]
async fn pexpire_makes_a_key_disappear() {
    let app = spawn_app().await;
    let request = [
        command(&[b"SET", b"k", b"v"]),
        command(&[b"PEXPIRE", b"k", b"30"]),
    ]
    .concat();
    assert_eq!(text(&app.exchange(&request).await), "+OK\r\n:1\r\n");
    let gone = eventually(Duration::from_secs(3), || async {
        app.exchange(&command(&[b"GET", b"k"])).await == b"$-1\r\n"
    })
    .await;
    assert!(gone, "the key outlived its PEXPIRE");
}

#[tokio::test]
async fn keepttl_and_incr_keep_the_ttl_and_a_plain_set_drops_it() {
    let app = spawn_app().await;
    let request = [
        command(&[b"SET", b"k", b"5", b"EX", b"100"]),
        command(&[b"SET", b"k", b"6", b"KEEPTTL"]),
        command(&[b"INCR", b"k"]),
        command(&[b"TTL", b"k"]),
        command(&[b"SET", b"k", b"8"]),
        command(&[b"TTL", b"k"]),
    ]
    .concat();
    let expected = "+OK\r\n+OK\r\n:7\r\n:100\r\n+OK\r\n:-1\r\n";
    assert_eq!(text(&app.exchange(&request).await), expected);
}
