//! SET key value [NX | XX] [GET] [EX s | PX ms | EXAT unix-s | PXAT unix-ms | KEEPTTL],
//! SETEX key seconds value, PSETEX key ms value

use bytes::Bytes;

use super::CmdError;
use super::mset::db_error;
use crate::db::{Condition, Db, Expiry, SetOptions, unix_now_ms};
use crate::resp::Parse;
use crate::resp::connection::Replies;
use crate::resp::parse::parse_i64;
use crate::state::AppState;

/// The expiry option as given, converted when the command runs.
#[derive(Clone, Debug, PartialEq, Eq)]
enum ExpiryArg {
    None,
    KeepTtl,
    Ex(Bytes),
    Px(Bytes),
    ExAt(Bytes),
    PxAt(Bytes),
}

/// `SET`: `+OK`, or nil when NX/XX prevented the write, or the old value with GET.
#[derive(Debug)]
pub struct Set {
    key: Bytes,
    value: Bytes,
    condition: Condition,
    get_old: bool,
    expiry: ExpiryArg,
    /// The command's name in error replies (`set`, `setex`, `psetex`).
    name: &'static str,
}

fn is(option: &[u8], name: &str) -> bool {
    option.eq_ignore_ascii_case(name.as_bytes())
}

impl Set {
    /// Reads key, value and options; conflicting or unknown options are a syntax error.
    pub fn parse_frames(parse: &mut Parse) -> Result<Set, CmdError> {
        let mut set = Set {
            key: parse.next_bytes()?,
            value: parse.next_bytes()?,
            condition: Condition::Always,
            get_old: false,
            expiry: ExpiryArg::None,
            name: "set",
        };
        while let Ok(option) = parse.next_bytes() {
            set.option(&option, parse)?;
        }
        Ok(set)
    }

    /// `SETEX key seconds value` and `PSETEX key ms value`.
    pub fn parse_setex(parse: &mut Parse, millis: bool) -> Result<Set, CmdError> {
        let key = parse.next_bytes()?;
        let amount = parse.next_bytes()?;
        Ok(Set {
            key,
            value: parse.next_bytes()?,
            condition: Condition::Always,
            get_old: false,
            expiry: if millis {
                ExpiryArg::Px(amount)
            } else {
                ExpiryArg::Ex(amount)
            },
            name: if millis { "psetex" } else { "setex" },
        })
    }

    fn option(&mut self, option: &[u8], parse: &mut Parse) -> Result<(), CmdError> {
        use ExpiryArg as E;
        let has_next = parse.remaining() > 0;
        if is(option, "nx") && self.condition != Condition::IfPresent {
            self.condition = Condition::IfAbsent;
        } else if is(option, "xx") && self.condition != Condition::IfAbsent {
            self.condition = Condition::IfPresent;
        } else if is(option, "get") {
            self.get_old = true;
        } else if is(option, "keepttl") && matches!(self.expiry, E::None | E::KeepTtl) {
            self.expiry = E::KeepTtl;
        } else if is(option, "ex") && has_next && matches!(self.expiry, E::None | E::Ex(_)) {
            self.expiry = E::Ex(parse.next_bytes()?);
        } else if is(option, "px") && has_next && matches!(self.expiry, E::None | E::Px(_)) {
            self.expiry = E::Px(parse.next_bytes()?);
        } else if is(option, "exat") && has_next && matches!(self.expiry, E::None | E::ExAt(_)) {
            self.expiry = E::ExAt(parse.next_bytes()?);
        } else if is(option, "pxat") && has_next && matches!(self.expiry, E::None | E::PxAt(_)) {
            self.expiry = E::PxAt(parse.next_bytes()?);
        } else {
            return Err(CmdError::Syntax);
        }
        Ok(())
    }

    /// Converts the expiry option to a time on the store's clock, with Redis' checks.
    fn expiry(&self, db: &Db) -> Result<Expiry, CmdError> {
        let (arg, seconds, absolute) = match &self.expiry {
            ExpiryArg::None => return Ok(Expiry::Never),
            ExpiryArg::KeepTtl => return Ok(Expiry::Keep),
            ExpiryArg::Ex(arg) => (arg, true, false),
            ExpiryArg::Px(arg) => (arg, false, false),
            ExpiryArg::ExAt(arg) => (arg, true, true),
            ExpiryArg::PxAt(arg) => (arg, false, true),
        };
        let name = self.name;
        let invalid = || CmdError::Other(format!("ERR invalid expire time in '{name}' command"));
        let n = parse_i64(arg).ok_or(CmdError::NotInteger)?;
        if n <= 0 || (seconds && n > i64::MAX / 1000) {
            return Err(invalid());
        }
        let ms = if seconds { n * 1000 } else { n };
        if absolute {
            return Ok(Expiry::At(db.from_unix_ms(ms)));
        }
        if ms > i64::MAX - unix_now_ms() {
            return Err(invalid());
        }
        let ms = u64::try_from(ms).map_err(|_| invalid())?;
        db.now_ms()
            .checked_add(ms)
            .map(Expiry::At)
            .ok_or_else(invalid)
    }

    /// Writes the value.
    pub fn apply(self, state: &AppState, dst: &mut Replies) {
        let expiry = match self.expiry(&state.db) {
            Ok(expiry) => expiry,
            Err(err) => return dst.error(err.text()),
        };
        let options = SetOptions {
            expiry,
            condition: self.condition,
            get_old: self.get_old,
        };
        match state.db.set(&self.key, &self.value, options) {
            Ok(outcome) if self.get_old => dst.optional_bulk(outcome.old.as_deref()),
            Ok(outcome) if outcome.written => dst.ok(),
            Ok(_) => dst.null(),
            Err(err) => dst.error(db_error(&err)),
        }
    }
}
