//! Commands: the table of names and arities, dispatch, and Redis' error wording.
//!
//! Each command lives in its own file with `parse_frames` (arguments to a typed struct) and
//! `apply` (run it against the store and queue the reply). Errors never close the connection.

mod auth;
mod client;
mod command;
mod config;
mod dbsize;
mod del;
mod dispatch;
mod echo;
mod exists;
mod expire;
mod expiretime;
mod flush;
mod get;
mod getex;
mod hello;
mod incr;
mod info;
mod keyspace;
mod mget;
mod mset;
mod multi;
mod ping;
mod quit;
mod scan;
mod select;
mod set;
mod strings;
mod table;

use std::borrow::Cow;

use bytes::Bytes;

use crate::conn::Session;
use crate::resp::connection::Replies;
use crate::resp::parse::into_args;
use crate::resp::{Frame, ParseError};
use crate::state::AppState;

pub use table::{COMMANDS, Spec, lookup};

/// Whether the connection goes on after a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// Keep serving.
    Continue,
    /// Flush the replies and close (QUIT).
    Close,
    /// Close at once, dropping pending replies (a cross-protocol attack).
    Abort,
}

/// A command's failure, replied as an error; the connection stays open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CmdError {
    /// `ERR syntax error`
    Syntax,
    /// `ERR value is not an integer or out of range`
    NotInteger,
    /// Any other reply, starting with its code (`ERR ...`, `OOM ...`).
    Other(String),
}

impl CmdError {
    /// The error reply's text.
    pub fn text(&self) -> Cow<'_, str> {
        match self {
            CmdError::Syntax => Cow::Borrowed("ERR syntax error"),
            CmdError::NotInteger => Cow::Borrowed("ERR value is not an integer or out of range"),
            CmdError::Other(text) => Cow::Borrowed(text),
        }
    }
}

impl From<ParseError> for CmdError {
    fn from(err: ParseError) -> CmdError {
        match err {
            ParseError::EndOfStream => CmdError::Syntax,
            ParseError::NotInteger => CmdError::NotInteger,
        }
    }
}

/// Every command, parsed.
#[derive(Debug)]
pub enum Command {
    /// AUTH
    Auth(auth::Auth),
    /// HELLO
    Hello(hello::Hello),
    /// MULTI, EXEC, DISCARD, WATCH, UNWATCH
    Tx(multi::TxCmd),
    /// CLIENT
    Client(client::Client),
    /// COMMAND
    Command(command::CommandCmd),
    /// CONFIG
    Config(config::ConfigCmd),
    /// DBSIZE
    DbSize(dbsize::DbSize),
    /// DEL
    Del(del::Del),
    /// ECHO
    Echo(echo::Echo),
    /// EXISTS
    Exists(exists::Exists),
    /// EXPIRE, PEXPIRE
    Expire(expire::Expire),
    /// FLUSHDB, FLUSHALL
    Flush(flush::Flush),
    /// GET
    Get(get::Get),
    /// INCR, INCRBY, DECR, DECRBY
    Incr(incr::Incr),
    /// INFO
    Info(info::Info),
    /// MGET
    MGet(mget::MGet),
    /// MSET
    MSet(mset::MSet),
    /// PING
    Ping(ping::Ping),
    /// QUIT
    Quit(quit::Quit),
    /// SELECT
    Select(select::Select),
    /// SET, SETEX, PSETEX
    Set(set::Set),
    /// TTL, PTTL
    Ttl(expire::TtlCmd),
    // Store commands cache clients send (issue 22).
    /// APPEND
    Append(strings::Append),
    /// EXPIRETIME, PEXPIRETIME
    ExpireTime(expiretime::ExpireTime),
    /// GETDEL
    GetDel(strings::GetDel),
    /// GETEX
    GetEx(getex::GetEx),
    /// KEYS
    Keys(keyspace::Keys),
    /// PERSIST
    Persist(keyspace::Persist),
    /// RENAME
    Rename(keyspace::Rename),
    /// SCAN
    Scan(scan::Scan),
    /// SETNX
    SetNx(strings::SetNx),
    /// STRLEN
    StrLen(strings::StrLen),
    /// TOUCH
    Touch(keyspace::Touch),
    /// TYPE
    Type(keyspace::Type),
}

impl Command {
    /// Runs the command and queues its reply.
    pub fn apply(self, state: &AppState, session: &mut Session, dst: &mut Replies) -> Flow {
        match self {
            Command::Auth(cmd) => cmd.apply(state, session, dst),
            Command::Hello(cmd) => cmd.apply(state, session, dst),
            Command::Tx(cmd) => return cmd.apply(state, session, dst),
            Command::Client(cmd) => cmd.apply(session, dst),
            Command::Command(cmd) => cmd.apply(dst),
            Command::Config(cmd) => cmd.apply(state, dst),
            Command::DbSize(cmd) => cmd.apply(state, dst),
            Command::Del(cmd) => cmd.apply(state, dst),
            Command::Echo(cmd) => cmd.apply(dst),
            Command::Exists(cmd) => cmd.apply(state, dst),
            Command::Expire(cmd) => cmd.apply(state, dst),
            Command::Flush(cmd) => cmd.apply(state, dst),
            Command::Get(cmd) => cmd.apply(state, dst),
            Command::Incr(cmd) => cmd.apply(state, dst),
            Command::Info(cmd) => cmd.apply(state, dst),
            Command::MGet(cmd) => cmd.apply(state, dst),
            Command::MSet(cmd) => cmd.apply(state, dst),
            Command::Ping(cmd) => cmd.apply(dst),
            Command::Quit(cmd) => return cmd.apply(dst),
            Command::Select(cmd) => cmd.apply(dst),
            Command::Set(cmd) => cmd.apply(state, dst),
            Command::Ttl(cmd) => cmd.apply(state, dst),
            Command::Append(cmd) => cmd.apply(state, dst),
            Command::ExpireTime(cmd) => cmd.apply(state, dst),
            Command::GetDel(cmd) => cmd.apply(state, dst),
            Command::GetEx(cmd) => cmd.apply(state, dst),
            Command::Keys(cmd) => cmd.apply(state, dst),
            Command::Persist(cmd) => cmd.apply(state, dst),
            Command::Rename(cmd) => cmd.apply(state, dst),
            Command::Scan(cmd) => cmd.apply(state, dst),
            Command::SetNx(cmd) => cmd.apply(state, dst),
            Command::StrLen(cmd) => cmd.apply(state, dst),
            Command::Touch(cmd) => cmd.apply(state, dst),
            Command::Type(cmd) => cmd.apply(state, dst),
        }
        Flow::Continue
    }
}

/// Parses and runs one request, queuing exactly one reply (none for an empty request).
pub fn execute(frame: Frame, state: &AppState, session: &mut Session, dst: &mut Replies) -> Flow {
    let Some(args) = into_args(frame) else {
        dst.error("ERR Protocol error: expected an array of bulk strings");
        return Flow::Continue;
    };
    dispatch::request(args, state, session, dst)
}

/// Redis' arity rule: positive means exactly, negative means at least, counting the name.
pub fn arity_ok(arity: i32, argc: usize) -> bool {
    let needed = usize::try_from(arity.unsigned_abs()).unwrap_or(usize::MAX);
    if arity >= 0 {
        argc == needed
    } else {
        argc >= needed
    }
}

/// `ERR wrong number of arguments for 'get' command`
pub fn wrong_arity(name: &str) -> CmdError {
    CmdError::Other(format!(
        "ERR wrong number of arguments for '{name}' command"
    ))
}

/// `ERR unknown subcommand 'foo'. Try CONFIG HELP.`
pub fn unknown_subcommand(command: &str, sub: &[u8]) -> CmdError {
    let (sub, _) = c_string(sub, 128);
    CmdError::Other(format!(
        "ERR unknown subcommand '{sub}'. Try {} HELP.",
        command.to_ascii_uppercase()
    ))
}

/// Redis 7's reply to an unknown command, quoting the start of its arguments:
/// `ERR unknown command 'foo', with args beginning with: 'a' 'b' `.
pub fn unknown_command(args: &[Bytes]) -> String {
    let (name, _) = c_string(args.first().map_or(&[][..], |a| &a[..]), 128);
    let mut quoted = String::new();
    let mut quoted_len = 0;
    for arg in args.iter().skip(1) {
        if quoted_len >= 128 {
            break;
        }
        let (text, len) = c_string(arg, 128 - quoted_len);
        quoted.push('\'');
        quoted.push_str(&text);
        quoted.push_str("' ");
        quoted_len += len + 3;
    }
    format!("ERR unknown command '{name}', with args beginning with: {quoted}")
}

/// What C's `%.*s` prints of `bytes`: up to the first NUL, at most `max` bytes (lossily
/// decoded), with the number of bytes taken.
fn c_string(bytes: &[u8], max: usize) -> (String, usize) {
    let end = bytes
        .iter()
        .position(|&b| b == 0)
        .unwrap_or(bytes.len())
        .min(max);
    (String::from_utf8_lossy(&bytes[..end]).into_owned(), end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_commands_quote_their_first_arguments_like_redis() {
        let args: Vec<Bytes> = [&b"foo"[..], b"a", b"b"].map(Bytes::from_static).into();
        assert_eq!(
            unknown_command(&args),
            "ERR unknown command 'foo', with args beginning with: 'a' 'b' "
        );
        let alone = unknown_command(&[Bytes::from_static(b"foo")]);
        assert_eq!(
            alone,
            "ERR unknown command 'foo', with args beginning with: "
        );
    }

    #[test]
    fn arity_counts_the_command_name() {
        assert!(arity_ok(2, 2));
        assert!(!arity_ok(2, 3));
        assert!(arity_ok(-3, 5));
        assert!(!arity_ok(-3, 2));
    }
}
