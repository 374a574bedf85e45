//! MSET key value [key value ...]

use bytes::Bytes;

use super::{CmdError, wrong_arity};
use crate::db::DbError;
use crate::resp::Parse;
use crate::resp::connection::Replies;
use crate::state::AppState;

/// `MSET key value [key value ...]`: writes every pair at once (no TTL), `+OK`.
#[derive(Debug)]
pub struct MSet {
    pairs: Vec<(Bytes, Bytes)>,
}

impl MSet {
    /// Reads the pairs; an odd number of arguments is a wrong-arity error, as in Redis.
    pub fn parse_frames(parse: &mut Parse) -> Result<MSet, CmdError> {
        let args = parse.rest();
        if !args.len().is_multiple_of(2) {
            return Err(wrong_arity("mset"));
        }
        let mut pairs = Vec::with_capacity(args.len() / 2);
        let mut args = args.into_iter();
        while let (Some(key), Some(value)) = (args.next(), args.next()) {
            pairs.push((key, value));
        }
        Ok(MSet { pairs })
    }

    /// Writes the pairs.
    pub fn apply(self, state: &AppState, dst: &mut Replies) {
        match state.db.set_many(&self.pairs) {
            Ok(()) => dst.ok(),
            Err(err) => dst.error(db_error(&err)),
        }
    }
}

/// The reply text for a refused write.
pub fn db_error(err: &DbError) -> String {
    match err {
        DbError::TooLarge { .. } | DbError::TooMany { .. } => {
            format!("OOM command not allowed: {err}")
        }
        DbError::NotInteger | DbError::Overflow | DbError::StringTooLong => format!("ERR {err}"),
    }
}
