//! ECHO message

use bytes::Bytes;

use super::CmdError;
use crate::resp::Parse;
use crate::resp::connection::Replies;

/// `ECHO message`: the message back.
#[derive(Debug)]
pub struct Echo {
    message: Bytes,
}

impl Echo {
    /// Reads the message.
    pub fn parse_frames(parse: &mut Parse) -> Result<Echo, CmdError> {
        Ok(Echo {
            message: parse.next_bytes()?,
        })
    }

    /// Replies with the message.
    pub fn apply(self, dst: &mut Replies) {
        dst.bulk(&self.message);
    }
}
