//! FLUSHDB / FLUSHALL [ASYNC | SYNC]

use super::CmdError;
use crate::resp::Parse;
use crate::resp::connection::Replies;
use crate::state::AppState;

/// `FLUSHDB` and `FLUSHALL` (one database, so they are the same): removes every key.
/// `ASYNC` and `SYNC` are accepted; the flush is always synchronous.
#[derive(Debug)]
pub struct Flush;

impl Flush {
    /// Accepts an optional `ASYNC` or `SYNC`.
    pub fn parse_frames(parse: &mut Parse) -> Result<Flush, CmdError> {
        match parse.rest().as_slice() {
            [] => Ok(Flush),
            [mode] if mode.eq_ignore_ascii_case(b"async") || mode.eq_ignore_ascii_case(b"sync") => {
                Ok(Flush)
            }
            _ => Err(CmdError::Syntax),
        }
    }

    /// Empties the store.
    pub fn apply(self, state: &AppState, dst: &mut Replies) {
        state.db.clear();
        dst.ok();
    }
}
