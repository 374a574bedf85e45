//! EXISTS key [key ...]

use bytes::Bytes;

use super::CmdError;
use crate::resp::Parse;
use crate::resp::connection::Replies;
use crate::resp::encode::len_i64;
use crate::state::AppState;

/// `EXISTS key [key ...]`: how many of the keys exist (a key named twice counts twice).
/// Does not count as a use of the keys.
#[derive(Debug)]
pub struct Exists {
    keys: Vec<Bytes>,
}

impl Exists {
    /// Reads the keys.
    pub fn parse_frames(parse: &mut Parse) -> Result<Exists, CmdError> {
        Ok(Exists { keys: parse.rest() })
    }

    /// Counts them.
    pub fn apply(self, state: &AppState, dst: &mut Replies) {
        let found = self.keys.iter().filter(|k| state.db.exists(k)).count();
        dst.integer(len_i64(found));
    }
}
