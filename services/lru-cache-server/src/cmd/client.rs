//! CLIENT SETNAME | SETINFO | GETNAME

use bytes::Bytes;

use super::hello::valid_name;
use super::{CmdError, unknown_subcommand, wrong_arity};
use crate::conn::Session;
use crate::resp::Parse;
use crate::resp::connection::Replies;

/// The few CLIENT subcommands client libraries send at connect.
#[derive(Debug)]
pub enum Client {
    /// `CLIENT SETINFO attr value`: `+OK`, not kept.
    Accept,
    /// `CLIENT SETNAME name`: `+OK`, kept for the connection.
    SetName,
    /// `CLIENT GETNAME`: the name, or null.
    GetName,
    /// A valid `CLIENT SETNAME` with its name.
    Named(Bytes),
}

impl Client {
    /// Reads the subcommand.
    pub fn parse_frames(parse: &mut Parse) -> Result<Client, CmdError> {
        let sub = parse.next_bytes()?;
        let args: Vec<Bytes> = parse.rest();
        let (name, arity, client) = if sub.eq_ignore_ascii_case(b"setname") {
            ("client|setname", 1, Client::SetName)
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
        if let (Client::SetName, Some(name)) = (&client, args.into_iter().next()) {
            return valid_name(name).map(Client::Named);
        }
        Ok(client)
    }

    /// Replies.
    pub fn apply(self, session: &mut Session, dst: &mut Replies) {
        match self {
            Client::Accept | Client::SetName => dst.ok(),
            Client::Named(name) => {
                // An empty name clears it, as in Redis.
                session.name = Some(name).filter(|n| !n.is_empty());
                dst.ok();
            }
            Client::GetName => dst.optional_bulk(session.name.as_deref()),
        }
    }
}
