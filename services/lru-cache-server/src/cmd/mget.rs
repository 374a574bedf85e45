//! MGET key [key ...]

use bytes::Bytes;

use super::CmdError;
use crate::resp::Parse;
use crate::resp::connection::Replies;
use crate::state::AppState;

/// `MGET key [key ...]`: an array of values, nil for missing keys. Each counts as a use.
#[derive(Debug)]
pub struct MGet {
    keys: Vec<Bytes>,
}

impl MGet {
    /// Reads the keys.
    pub fn parse_frames(parse: &mut Parse) -> Result<MGet, CmdError> {
        Ok(MGet { keys: parse.rest() })
    }

    /// Looks each key up.
    pub fn apply(self, state: &AppState, dst: &mut Replies) {
        dst.array_len(self.keys.len());
        for key in &self.keys {
            state.db.get_with(key, |value| dst.optional_bulk(value));
        }
    }
}
