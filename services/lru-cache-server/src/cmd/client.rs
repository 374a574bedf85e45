//! CLIENT SETNAME | SETINFO | GETNAME | ID

use bytes::Bytes;

use super::{CmdError, unknown_subcommand, wrong_arity};
use crate::resp::Parse;
use crate::resp::connection::Replies;

/// The few CLIENT subcommands client libraries send at connect; names are accepted and not
/// kept.
#[derive(Debug)]
pub enum Client {
    /// `CLIENT SETNAME name`, `CLIENT SETINFO attr value`: `+OK`.
    Accept,
    /// `CLIENT GETNAME`: nil.
    GetName,
}

impl Client {
    /// Reads the subcommand.
    pub fn parse_frames(parse: &mut Parse) -> Result<Client, CmdError> {
        let sub = parse.next_bytes()?;
        let args: Vec<Bytes> = parse.rest();
        let (name, arity, client) = if sub.eq_ignore_ascii_case(b"setname") {
            ("client|setname", 1, Client::Accept)
        } else if sub.eq_ignore_ascii_case(b"setinfo") {
            ("client|setinfo", 2, Client::Accept)
        } else if sub.eq_ignore_ascii_case(b"getname") {
            ("client|getname", 0, Client::GetName)
        } else {
            return Err(unknown_subcommand("client", &sub));
        };
        if args.len() != arity {
            return Err(wrong_arity(name));
        }
        Ok(client)
    }

    /// Replies.
    pub fn apply(self, dst: &mut Replies) {
        match self {
            Client::Accept => dst.ok(),
            Client::GetName => dst.null(),
        }
    }
}
