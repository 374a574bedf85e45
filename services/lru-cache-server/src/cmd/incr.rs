//! INCR key, DECR key, INCRBY key n, DECRBY key n

use bytes::Bytes;

use super::CmdError;
use super::mset::db_error;
use crate::resp::Parse;
use crate::resp::connection::Replies;
use crate::state::AppState;

/// Which of the four counters commands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `INCR key`
    Incr,
    /// `DECR key`
    Decr,
    /// `INCRBY key n`
    IncrBy,
    /// `DECRBY key n`
    DecrBy,
}

/// Adds to the integer stored at a key (0 if absent), keeping its TTL; replies the new value.
#[derive(Debug)]
pub struct Incr {
    key: Bytes,
    delta: i64,
}

impl Incr {
    /// Reads the key and, for the BY forms, the amount.
    pub fn parse_frames(parse: &mut Parse, kind: Kind) -> Result<Incr, CmdError> {
        let key = parse.next_bytes()?;
        let delta = match kind {
            Kind::Incr => 1,
            Kind::Decr => -1,
            Kind::IncrBy => parse.next_int()?,
            Kind::DecrBy => parse
                .next_int()?
                .checked_neg()
                .ok_or_else(|| CmdError::Other("ERR decrement would overflow".into()))?,
        };
        Ok(Incr { key, delta })
    }

    /// Updates the counter.
    pub fn apply(self, state: &AppState, dst: &mut Replies) {
        match state.db.incr_by(&self.key, self.delta) {
            Ok(n) => dst.integer(n),
            Err(err) => dst.error(db_error(&err)),
        }
    }
}
