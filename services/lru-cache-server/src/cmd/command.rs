//! COMMAND [COUNT | DOCS [name ...] | INFO [name ...] | LIST]

use std::borrow::Cow;

use bytes::Bytes;

use super::table::{COMMANDS, Spec, lookup};
use super::{CmdError, unknown_subcommand};
use crate::resp::connection::Replies;
use crate::resp::encode::len_i64;
use crate::resp::{Frame, Parse};

/// Introspection: what redis-cli and client libraries ask at connect.
#[derive(Debug)]
pub enum CommandCmd {
    /// `COMMAND`: every command's details.
    All,
    /// `COMMAND COUNT`
    Count,
    /// `COMMAND DOCS ...`: an empty map (no docs are kept), so redis-cli starts quietly.
    Docs,
    /// `COMMAND INFO name ...`: details per name, nil for unknown ones.
    Info(Vec<Bytes>),
    /// `COMMAND LIST`: every name.
    List,
}

impl CommandCmd {
    /// Reads the subcommand.
    pub fn parse_frames(parse: &mut Parse) -> Result<CommandCmd, CmdError> {
        let Ok(sub) = parse.next_bytes() else {
            return Ok(CommandCmd::All);
        };
        let rest = parse.rest();
        if sub.eq_ignore_ascii_case(b"count") && rest.is_empty() {
            Ok(CommandCmd::Count)
        } else if sub.eq_ignore_ascii_case(b"count") {
            Err(super::wrong_arity("command|count"))
        } else if sub.eq_ignore_ascii_case(b"docs") {
            Ok(CommandCmd::Docs)
        } else if sub.eq_ignore_ascii_case(b"info") {
            Ok(CommandCmd::Info(rest))
        } else if sub.eq_ignore_ascii_case(b"list") {
            Ok(CommandCmd::List)
        } else {
            Err(unknown_subcommand("command", &sub))
        }
    }

    /// Replies.
    pub fn apply(self, dst: &mut Replies) {
        let reply = match self {
            CommandCmd::All => Frame::Array(COMMANDS.iter().map(details).collect()),
            CommandCmd::Count => Frame::Integer(len_i64(COMMANDS.len())),
            CommandCmd::Docs => Frame::Map(Vec::new()),
            CommandCmd::Info(names) => Frame::Array(
                names
                    .iter()
                    .map(|name| lookup(name).map_or(Frame::Null, details))
                    .collect(),
            ),
            CommandCmd::List => Frame::Array(
                COMMANDS
                    .iter()
                    .map(|spec| Frame::Bulk(Bytes::from_static(spec.name.as_bytes())))
                    .collect(),
            ),
        };
        dst.frame(&reply);
    }
}

/// One command in Redis 7's COMMAND format: name, arity, flags, first key, last key, step,
/// ACL categories, tips, key specs, subcommands (the last four empty). Flags and the empty
/// lists are RESP3 sets, as Redis sends them.
fn details(spec: &Spec) -> Frame {
    let flags = spec
        .flags
        .iter()
        .map(|f| Frame::Simple(Cow::Borrowed(*f)))
        .collect();
    Frame::Array(vec![
        Frame::Bulk(Bytes::from_static(spec.name.as_bytes())),
        Frame::Integer(i64::from(spec.arity)),
        Frame::Set(flags),
        Frame::Integer(spec.first_key),
        Frame::Integer(spec.last_key),
        Frame::Integer(spec.step),
        Frame::Set(Vec::new()),
        Frame::Set(Vec::new()),
        Frame::Set(Vec::new()),
        Frame::Set(Vec::new()),
    ])
}
