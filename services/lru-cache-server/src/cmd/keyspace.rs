//! PERSIST key, TYPE key, TOUCH key [key ...], RENAME key newkey, KEYS pattern: commands on
//! keys rather than values.

use std::borrow::Cow;

use bytes::Bytes;

use super::CmdError;
use super::mset::db_error;
use crate::resp::connection::Replies;
use crate::resp::encode::len_i64;
use crate::resp::{Frame, Parse};
use crate::state::AppState;

/// `PERSIST key`: `:1` when a TTL was removed, else `:0`.
#[derive(Debug)]
pub struct Persist {
    key: Bytes,
}

impl Persist {
    /// Reads the key.
    pub fn parse_frames(parse: &mut Parse) -> Result<Persist, CmdError> {
        Ok(Persist {
            key: parse.next_bytes()?,
        })
    }

    /// Removes the TTL.
    pub fn apply(self, state: &AppState, dst: &mut Replies) {
        dst.integer(i64::from(state.db.persist(&self.key)));
    }
}

/// `TYPE key`: `+string` for a live key (every value is a string), `+none` otherwise. Not a
/// use of the key.
#[derive(Debug)]
pub struct Type {
    key: Bytes,
}

impl Type {
    /// Reads the key.
    pub fn parse_frames(parse: &mut Parse) -> Result<Type, CmdError> {
        Ok(Type {
            key: parse.next_bytes()?,
        })
    }

    /// Replies with the type.
    pub fn apply(self, state: &AppState, dst: &mut Replies) {
        let name = if state.db.exists(&self.key) {
            "string"
        } else {
            "none"
        };
        dst.frame(&Frame::Simple(Cow::Borrowed(name)));
    }
}

/// `TOUCH key [key ...]`: how many of the keys exist; each is made most recently used.
#[derive(Debug)]
pub struct Touch {
    keys: Vec<Bytes>,
}

impl Touch {
    /// Reads the keys.
    pub fn parse_frames(parse: &mut Parse) -> Result<Touch, CmdError> {
        Ok(Touch { keys: parse.rest() })
    }

    /// Touches them.
    pub fn apply(self, state: &AppState, dst: &mut Replies) {
        let found = self.keys.iter().filter(|k| state.db.touch(k)).count();
        dst.integer(len_i64(found));
    }
}

/// `RENAME key newkey`: `+OK`, or `-ERR no such key`. The value keeps its TTL.
#[derive(Debug)]
pub struct Rename {
    from: Bytes,
    to: Bytes,
}

impl Rename {
    /// Reads both keys.
    pub fn parse_frames(parse: &mut Parse) -> Result<Rename, CmdError> {
        Ok(Rename {
            from: parse.next_bytes()?,
            to: parse.next_bytes()?,
        })
    }

    /// Moves the value.
    pub fn apply(self, state: &AppState, dst: &mut Replies) {
        match state.db.rename(&self.from, &self.to) {
            Ok(true) => dst.ok(),
            Ok(false) => dst.error("ERR no such key"),
            Err(err) => dst.error(db_error(&err)),
        }
    }
}

/// `KEYS pattern`: every live key matching Redis' glob `pattern`, in no particular order.
#[derive(Debug)]
pub struct Keys {
    pattern: Bytes,
}

impl Keys {
    /// Reads the pattern.
    pub fn parse_frames(parse: &mut Parse) -> Result<Keys, CmdError> {
        Ok(Keys {
            pattern: parse.next_bytes()?,
        })
    }

    /// Lists the keys.
    pub fn apply(self, state: &AppState, dst: &mut Replies) {
        let keys = state.db.keys(&self.pattern);
        dst.array_len(keys.len());
        for key in &keys {
            dst.bulk(key);
        }
    }
}
