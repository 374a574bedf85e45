//! GETEX key [EX seconds | PX ms | EXAT unix-s | PXAT unix-ms | PERSIST]

use bytes::Bytes;

use super::CmdError;
use super::mset::db_error;
use crate::db::{Db, GetExpiry, unix_now_ms};
use crate::resp::Parse;
use crate::resp::connection::Replies;
use crate::resp::parse::parse_i64;
use crate::state::AppState;

/// The TTL option as given.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Option_ {
    None,
    Persist,
    /// The amount, whether it is in seconds, whether it is a Unix time.
    Time(Bytes, bool, bool),
}

/// `GETEX`: the value (nil when missing), after changing the key's TTL; a use of the key.
#[derive(Debug)]
pub struct GetEx {
    key: Bytes,
    option: Option_,
}

impl GetEx {
    /// Reads the key and at most one option (one of the time options may be repeated, the
    /// last counting, as in Redis); anything else is a syntax error.
    pub fn parse_frames(parse: &mut Parse) -> Result<GetEx, CmdError> {
        let key = parse.next_bytes()?;
        let mut option = Option_::None;
        while let Ok(word) = parse.next_bytes() {
            let upper = word.to_ascii_uppercase();
            let time = match upper.as_slice() {
                b"EX" => Some((true, false)),
                b"PX" => Some((false, false)),
                b"EXAT" => Some((true, true)),
                b"PXAT" => Some((false, true)),
                _ => None,
            };
            option = match (time, &option) {
                (None, Option_::None | Option_::Persist) if upper == b"PERSIST" => Option_::Persist,
                (Some((seconds, absolute)), Option_::None) if parse.remaining() > 0 => {
                    Option_::Time(parse.next_bytes()?, seconds, absolute)
                }
                (Some((seconds, absolute)), Option_::Time(_, s, a))
                    if parse.remaining() > 0 && (*s, *a) == (seconds, absolute) =>
                {
                    Option_::Time(parse.next_bytes()?, seconds, absolute)
                }
                _ => return Err(CmdError::Syntax),
            };
        }
        Ok(GetEx { key, option })
    }

    /// The TTL change, with Redis' checks of the time.
    fn expiry(&self, db: &Db) -> Result<GetExpiry, CmdError> {
        let (arg, seconds, absolute) = match &self.option {
            Option_::None => return Ok(GetExpiry::Keep),
            Option_::Persist => return Ok(GetExpiry::Persist),
            Option_::Time(arg, seconds, absolute) => (arg, *seconds, *absolute),
        };
        let invalid = || CmdError::Other("ERR invalid expire time in 'getex' command".into());
        let n = parse_i64(arg).ok_or(CmdError::NotInteger)?;
        if n <= 0 || (seconds && n > i64::MAX / 1000) {
            return Err(invalid());
        }
        let ms = if seconds { n * 1000 } else { n };
        if absolute {
            return Ok(GetExpiry::At(db.from_unix_ms(ms)));
        }
        if ms > i64::MAX - unix_now_ms() {
            return Err(invalid());
        }
        let ms = u64::try_from(ms).map_err(|_| invalid())?;
        db.now_ms()
            .checked_add(ms)
            .map(GetExpiry::At)
            .ok_or_else(invalid)
    }

    /// Reads the value and changes the TTL.
    pub fn apply(self, state: &AppState, dst: &mut Replies) {
        let expiry = match self.expiry(&state.db) {
            Ok(expiry) => expiry,
            // Redis looks the key up before it reads the time: a missing key is nil.
            Err(_) if !state.db.exists(&self.key) => return dst.null(),
            Err(err) => return dst.error(err.text()),
        };
        match state.db.get_ex(&self.key, expiry) {
            Ok(value) => dst.optional_bulk(value.as_deref()),
            Err(err) => dst.error(db_error(&err)),
        }
    }
}
