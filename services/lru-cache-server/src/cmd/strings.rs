//! GETDEL key, SETNX key value, STRLEN key, APPEND key value

use bytes::Bytes;

use super::CmdError;
use super::mset::db_error;
use crate::db::{Condition, Expiry, SetOptions};
use crate::resp::Parse;
use crate::resp::connection::Replies;
use crate::resp::encode::len_i64;
use crate::state::AppState;

/// `GETDEL key`: the value (nil when missing), and the key is removed.
#[derive(Debug)]
pub struct GetDel {
    key: Bytes,
}

impl GetDel {
    /// Reads the key.
    pub fn parse_frames(parse: &mut Parse) -> Result<GetDel, CmdError> {
        Ok(GetDel {
            key: parse.next_bytes()?,
        })
    }

    /// Takes the value.
    pub fn apply(self, state: &AppState, dst: &mut Replies) {
        dst.optional_bulk(state.db.take(&self.key).as_deref());
    }
}

/// `SETNX key value`: `:1` when written, `:0` when the key existed.
#[derive(Debug)]
pub struct SetNx {
    key: Bytes,
    value: Bytes,
}

impl SetNx {
    /// Reads key and value.
    pub fn parse_frames(parse: &mut Parse) -> Result<SetNx, CmdError> {
        Ok(SetNx {
            key: parse.next_bytes()?,
            value: parse.next_bytes()?,
        })
    }

    /// Writes the value if the key is absent.
    pub fn apply(self, state: &AppState, dst: &mut Replies) {
        let options = SetOptions {
            expiry: Expiry::Never,
            condition: Condition::IfAbsent,
            get_old: false,
        };
        match state.db.set(&self.key, &self.value, options) {
            Ok(outcome) => dst.integer(i64::from(outcome.written)),
            Err(err) => dst.error(db_error(&err)),
        }
    }
}

/// `STRLEN key`: the value's length, 0 when missing.
#[derive(Debug)]
pub struct StrLen {
    key: Bytes,
}

impl StrLen {
    /// Reads the key.
    pub fn parse_frames(parse: &mut Parse) -> Result<StrLen, CmdError> {
        Ok(StrLen {
            key: parse.next_bytes()?,
        })
    }

    /// Replies with the length.
    pub fn apply(self, state: &AppState, dst: &mut Replies) {
        dst.integer(len_i64(state.db.strlen(&self.key)));
    }
}

/// `APPEND key value`: the new length; a missing key is created. A result longer than
/// `CACHE_MAX_VALUE_BYTES` is refused with Redis' wording for `proto-max-bulk-len`.
#[derive(Debug)]
pub struct Append {
    key: Bytes,
    value: Bytes,
}

impl Append {
    /// Reads key and suffix.
    pub fn parse_frames(parse: &mut Parse) -> Result<Append, CmdError> {
        Ok(Append {
            key: parse.next_bytes()?,
            value: parse.next_bytes()?,
        })
    }

    /// Appends.
    pub fn apply(self, state: &AppState, dst: &mut Replies) {
        let limit = state.config.cache_max_value_bytes;
        match state.db.append(&self.key, &self.value, limit) {
            Ok(len) => dst.integer(len_i64(len)),
            Err(err) => dst.error(db_error(&err)),
        }
    }
}
