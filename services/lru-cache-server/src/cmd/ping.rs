//! PING [message]

use bytes::Bytes;

use super::{CmdError, wrong_arity};
use crate::resp::Parse;
use crate::resp::connection::Replies;

/// `PING [message]`: `+PONG`, or the message as a bulk string.
#[derive(Debug)]
pub struct Ping {
    message: Option<Bytes>,
}

impl Ping {
    /// Reads the optional message; more than one argument is a wrong-arity error, as in Redis.
    pub fn parse_frames(parse: &mut Parse) -> Result<Ping, CmdError> {
        if parse.remaining() > 1 {
            return Err(wrong_arity("ping"));
        }
        Ok(Ping {
            message: parse.next_bytes().ok(),
        })
    }

    /// Replies.
    pub fn apply(self, dst: &mut Replies) {
        match self.message {
            Some(message) => dst.bulk(&message),
            None => dst.0.extend_from_slice(b"+PONG\r\n"),
        }
    }
}
