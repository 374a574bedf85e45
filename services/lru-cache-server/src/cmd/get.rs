//! GET key

use bytes::Bytes;

use super::CmdError;
use crate::resp::Parse;
use crate::resp::connection::Replies;
use crate::state::AppState;

/// `GET key`: the value, or nil. Counts as a use of the key.
#[derive(Debug)]
pub struct Get {
    key: Bytes,
}

impl Get {
    /// Reads the key.
    pub fn parse_frames(parse: &mut Parse) -> Result<Get, CmdError> {
        Ok(Get {
            key: parse.next_bytes()?,
        })
    }

    /// Looks the key up.
    pub fn apply(self, state: &AppState, dst: &mut Replies) {
        state
            .db
            .get_with(&self.key, |value| dst.optional_bulk(value));
    }
}
