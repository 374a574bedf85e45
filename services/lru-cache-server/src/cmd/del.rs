//! DEL key [key ...]

use bytes::Bytes;

use super::CmdError;
use crate::resp::Parse;
use crate::resp::connection::Replies;
use crate::resp::encode::len_i64;
use crate::state::AppState;

/// `DEL key [key ...]`: how many of the keys existed and were removed.
#[derive(Debug)]
pub struct Del {
    keys: Vec<Bytes>,
}

impl Del {
    /// Reads the keys.
    pub fn parse_frames(parse: &mut Parse) -> Result<Del, CmdError> {
        Ok(Del { keys: parse.rest() })
    }

    /// Removes them.
    pub fn apply(self, state: &AppState, dst: &mut Replies) {
        let removed = self.keys.iter().filter(|k| state.db.delete(k)).count();
        dst.integer(len_i64(removed));
    }
}
