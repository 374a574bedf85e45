//! EXPIRETIME key, PEXPIRETIME key

use bytes::Bytes;

use super::CmdError;
use crate::resp::Parse;
use crate::resp::connection::Replies;
use crate::state::AppState;

/// `EXPIRETIME` / `PEXPIRETIME`: the Unix time (seconds, rounded, or milliseconds) at which the
/// key expires; `-1` without TTL, `-2` for a missing key. Not a use of the key.
#[derive(Debug)]
pub struct ExpireTime {
    key: Bytes,
    millis: bool,
}

impl ExpireTime {
    /// Reads the key.
    pub fn parse_frames(parse: &mut Parse, millis: bool) -> Result<ExpireTime, CmdError> {
        Ok(ExpireTime {
            key: parse.next_bytes()?,
            millis,
        })
    }

    /// Replies with the time.
    pub fn apply(self, state: &AppState, dst: &mut Replies) {
        let reply = match state.db.expire_time(&self.key) {
            None => -2,
            Some(None) => -1,
            Some(Some(ms)) if self.millis => ms,
            // Redis rounds to the nearest second.
            Some(Some(ms)) => ms.saturating_add(500) / 1000,
        };
        dst.integer(reply);
    }
}
