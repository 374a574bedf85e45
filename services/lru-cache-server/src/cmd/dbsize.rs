//! DBSIZE

use super::CmdError;
use crate::resp::Parse;
use crate::resp::connection::Replies;
use crate::resp::encode::len_i64;
use crate::state::AppState;

/// `DBSIZE`: the number of keys held.
#[derive(Debug)]
pub struct DbSize;

impl DbSize {
    /// Takes no arguments (arity is checked before).
    pub fn parse_frames(_parse: &mut Parse) -> Result<DbSize, CmdError> {
        Ok(DbSize)
    }

    /// Replies with the key count.
    pub fn apply(self, state: &AppState, dst: &mut Replies) {
        dst.integer(len_i64(state.db.len()));
    }
}
