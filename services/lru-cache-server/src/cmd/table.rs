//! The command table: names, arities and key positions as COMMAND reports them.

use super::multi::TxCmd;
use super::{CmdError, Command};
use super::{
    auth, client, command, config, dbsize, del, echo, exists, expire, flush, get, incr, info, mget,
    mset, ping, quit, select, set,
};
use super::{expiretime, getex, keyspace, scan, strings};
use super::{hello, multi};
use crate::resp::Parse;

/// One command's static description.
#[derive(Debug)]
pub struct Spec {
    /// Lower-case name.
    pub name: &'static str,
    /// Redis arity: exact if positive, minimum if negative, counting the name.
    pub arity: i32,
    /// Flags as COMMAND lists them.
    pub flags: &'static [&'static str],
    /// Position of the first key argument (0: none).
    pub first_key: i64,
    /// Position of the last key argument (-1: the last argument).
    pub last_key: i64,
    /// Step between key arguments.
    pub step: i64,
    /// Parses the arguments after the name.
    pub parse: fn(&mut Parse) -> Result<Command, CmdError>,
}

const READ: &[&str] = &["readonly", "fast"];
const WRITE: &[&str] = &["write", "denyoom"];
const FAST: &[&str] = &["fast"];
const ADMIN: &[&str] = &["loading", "stale"];

/// Every command served, most frequent first (lookup is a linear scan).
#[rustfmt::skip]
pub static COMMANDS: &[Spec] = &[
    Spec { name: "get", arity: 2, flags: READ, first_key: 1, last_key: 1, step: 1,
        parse: |p| get::Get::parse_frames(p).map(Command::Get) },
    Spec { name: "set", arity: -3, flags: WRITE, first_key: 1, last_key: 1, step: 1,
        parse: |p| set::Set::parse_frames(p).map(Command::Set) },
    Spec { name: "mget", arity: -2, flags: READ, first_key: 1, last_key: -1, step: 1,
        parse: |p| mget::MGet::parse_frames(p).map(Command::MGet) },
    Spec { name: "mset", arity: -3, flags: WRITE, first_key: 1, last_key: -1, step: 2,
        parse: |p| mset::MSet::parse_frames(p).map(Command::MSet) },
    Spec { name: "del", arity: -2, flags: &["write"], first_key: 1, last_key: -1, step: 1,
        parse: |p| del::Del::parse_frames(p).map(Command::Del) },
    Spec { name: "exists", arity: -2, flags: READ, first_key: 1, last_key: -1, step: 1,
        parse: |p| exists::Exists::parse_frames(p).map(Command::Exists) },
    Spec { name: "setex", arity: 4, flags: WRITE, first_key: 1, last_key: 1, step: 1,
        parse: |p| set::Set::parse_setex(p, false).map(Command::Set) },
    Spec { name: "psetex", arity: 4, flags: WRITE, first_key: 1, last_key: 1, step: 1,
        parse: |p| set::Set::parse_setex(p, true).map(Command::Set) },
    Spec { name: "expire", arity: -3, flags: &["write", "fast"], first_key: 1, last_key: 1, step: 1,
        parse: |p| expire::Expire::parse_frames(p, false, false).map(Command::Expire) },
    Spec { name: "pexpire", arity: -3, flags: &["write", "fast"], first_key: 1, last_key: 1, step: 1,
        parse: |p| expire::Expire::parse_frames(p, true, false).map(Command::Expire) },
    Spec { name: "ttl", arity: 2, flags: READ, first_key: 1, last_key: 1, step: 1,
        parse: |p| expire::TtlCmd::parse_frames(p, false).map(Command::Ttl) },
    Spec { name: "pttl", arity: 2, flags: READ, first_key: 1, last_key: 1, step: 1,
        parse: |p| expire::TtlCmd::parse_frames(p, true).map(Command::Ttl) },
    Spec { name: "incr", arity: 2, flags: WRITE, first_key: 1, last_key: 1, step: 1,
        parse: |p| incr::Incr::parse_frames(p, incr::Kind::Incr).map(Command::Incr) },
    Spec { name: "decr", arity: 2, flags: WRITE, first_key: 1, last_key: 1, step: 1,
        parse: |p| incr::Incr::parse_frames(p, incr::Kind::Decr).map(Command::Incr) },
    Spec { name: "incrby", arity: 3, flags: WRITE, first_key: 1, last_key: 1, step: 1,
        parse: |p| incr::Incr::parse_frames(p, incr::Kind::IncrBy).map(Command::Incr) },
    Spec { name: "decrby", arity: 3, flags: WRITE, first_key: 1, last_key: 1, step: 1,
        parse: |p| incr::Incr::parse_frames(p, incr::Kind::DecrBy).map(Command::Incr) },
    Spec { name: "ping", arity: -1, flags: FAST, first_key: 0, last_key: 0, step: 0,
        parse: |p| ping::Ping::parse_frames(p).map(Command::Ping) },
    Spec { name: "echo", arity: 2, flags: FAST, first_key: 0, last_key: 0, step: 0,
        parse: |p| echo::Echo::parse_frames(p).map(Command::Echo) },
    Spec { name: "dbsize", arity: 1, flags: READ, first_key: 0, last_key: 0, step: 0,
        parse: |p| dbsize::DbSize::parse_frames(p).map(Command::DbSize) },
    Spec { name: "flushdb", arity: -1, flags: &["write"], first_key: 0, last_key: 0, step: 0,
        parse: |p| flush::Flush::parse_frames(p).map(Command::Flush) },
    Spec { name: "flushall", arity: -1, flags: &["write"], first_key: 0, last_key: 0, step: 0,
        parse: |p| flush::Flush::parse_frames(p).map(Command::Flush) },
    Spec { name: "info", arity: -1, flags: ADMIN, first_key: 0, last_key: 0, step: 0,
        parse: |p| info::Info::parse_frames(p).map(Command::Info) },
    Spec { name: "config", arity: -2, flags: ADMIN, first_key: 0, last_key: 0, step: 0,
        parse: |p| config::ConfigCmd::parse_frames(p).map(Command::Config) },
    Spec { name: "command", arity: -1, flags: ADMIN, first_key: 0, last_key: 0, step: 0,
        parse: |p| command::CommandCmd::parse_frames(p).map(Command::Command) },
    Spec { name: "select", arity: 2, flags: FAST, first_key: 0, last_key: 0, step: 0,
        parse: |p| select::Select::parse_frames(p).map(Command::Select) },
    Spec { name: "client", arity: -2, flags: ADMIN, first_key: 0, last_key: 0, step: 0,
        parse: |p| client::Client::parse_frames(p).map(Command::Client) },
    Spec { name: "quit", arity: -1, flags: FAST, first_key: 0, last_key: 0, step: 0,
        parse: |p| quit::Quit::parse_frames(p).map(Command::Quit) },
    // Store commands cache clients send (issue 22).
    Spec { name: "unlink", arity: -2, flags: &["write", "fast"], first_key: 1, last_key: -1, step: 1,
        parse: |p| del::Del::parse_frames(p).map(Command::Del) },
    Spec { name: "setnx", arity: 3, flags: &["write", "denyoom", "fast"], first_key: 1, last_key: 1, step: 1,
        parse: |p| strings::SetNx::parse_frames(p).map(Command::SetNx) },
    Spec { name: "getdel", arity: 2, flags: &["write", "fast"], first_key: 1, last_key: 1, step: 1,
        parse: |p| strings::GetDel::parse_frames(p).map(Command::GetDel) },
    Spec { name: "getex", arity: -2, flags: &["write", "fast"], first_key: 1, last_key: 1, step: 1,
        parse: |p| getex::GetEx::parse_frames(p).map(Command::GetEx) },
    Spec { name: "strlen", arity: 2, flags: READ, first_key: 1, last_key: 1, step: 1,
        parse: |p| strings::StrLen::parse_frames(p).map(Command::StrLen) },
    Spec { name: "append", arity: 3, flags: &["write", "denyoom", "fast"], first_key: 1, last_key: 1, step: 1,
        parse: |p| strings::Append::parse_frames(p).map(Command::Append) },
    Spec { name: "persist", arity: 2, flags: &["write", "fast"], first_key: 1, last_key: 1, step: 1,
        parse: |p| keyspace::Persist::parse_frames(p).map(Command::Persist) },
    Spec { name: "expireat", arity: -3, flags: &["write", "fast"], first_key: 1, last_key: 1, step: 1,
        parse: |p| expire::Expire::parse_frames(p, false, true).map(Command::Expire) },
    Spec { name: "pexpireat", arity: -3, flags: &["write", "fast"], first_key: 1, last_key: 1, step: 1,
        parse: |p| expire::Expire::parse_frames(p, true, true).map(Command::Expire) },
    Spec { name: "expiretime", arity: 2, flags: READ, first_key: 1, last_key: 1, step: 1,
        parse: |p| expiretime::ExpireTime::parse_frames(p, false).map(Command::ExpireTime) },
    Spec { name: "pexpiretime", arity: 2, flags: READ, first_key: 1, last_key: 1, step: 1,
        parse: |p| expiretime::ExpireTime::parse_frames(p, true).map(Command::ExpireTime) },
    Spec { name: "touch", arity: -2, flags: READ, first_key: 1, last_key: -1, step: 1,
        parse: |p| keyspace::Touch::parse_frames(p).map(Command::Touch) },
    Spec { name: "type", arity: 2, flags: READ, first_key: 1, last_key: 1, step: 1,
        parse: |p| keyspace::Type::parse_frames(p).map(Command::Type) },
    Spec { name: "rename", arity: 3, flags: &["write"], first_key: 1, last_key: 2, step: 1,
        parse: |p| keyspace::Rename::parse_frames(p).map(Command::Rename) },
    Spec { name: "keys", arity: 2, flags: &["readonly"], first_key: 0, last_key: 0, step: 0,
        parse: |p| keyspace::Keys::parse_frames(p).map(Command::Keys) },
    Spec { name: "scan", arity: -2, flags: &["readonly"], first_key: 0, last_key: 0, step: 0,
        parse: |p| scan::Scan::parse_frames(p).map(Command::Scan) },
    Spec { name: "hello", arity: -1, flags: FAST, first_key: 0, last_key: 0, step: 0,
        parse: |p| hello::Hello::parse_frames(p).map(Command::Hello) },
    Spec { name: "auth", arity: -2, flags: FAST, first_key: 0, last_key: 0, step: 0,
        parse: |p| auth::Auth::parse_frames(p).map(Command::Auth) },
    Spec { name: "multi", arity: 1, flags: FAST, first_key: 0, last_key: 0, step: 0,
        parse: |_| Ok(Command::Tx(TxCmd::Multi)) },
    Spec { name: "exec", arity: 1, flags: &["loading", "stale"], first_key: 0, last_key: 0, step: 0,
        parse: |_| Ok(Command::Tx(TxCmd::Exec)) },
    Spec { name: "discard", arity: 1, flags: FAST, first_key: 0, last_key: 0, step: 0,
        parse: |_| Ok(Command::Tx(TxCmd::Discard)) },
    Spec { name: "watch", arity: -2, flags: FAST, first_key: 1, last_key: -1, step: 1,
        parse: |p| multi::TxCmd::parse_watch(p).map(Command::Tx) },
    Spec { name: "unwatch", arity: 1, flags: FAST, first_key: 0, last_key: 0, step: 0,
        parse: |_| Ok(Command::Tx(TxCmd::Unwatch)) },
];

/// The command named `name`, compared case-insensitively.
pub fn lookup(name: &[u8]) -> Option<&'static Spec> {
    COMMANDS
        .iter()
        .find(|spec| spec.name.as_bytes().eq_ignore_ascii_case(name))
}
