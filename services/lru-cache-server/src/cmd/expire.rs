//! EXPIRE key seconds [NX | XX | GT | LT], PEXPIRE key ms [...], EXPIREAT key unix-s [...],
//! PEXPIREAT key unix-ms [...], TTL key, PTTL key

use bytes::Bytes;

use super::CmdError;
use crate::db::{ExpireIf, Ttl, unix_now_ms};
use crate::resp::Parse;
use crate::resp::connection::Replies;
use crate::resp::encode::len_i64;
use crate::resp::parse::parse_i64;
use crate::state::AppState;

/// `EXPIRE` / `PEXPIRE` / `EXPIREAT` / `PEXPIREAT`: `:1` if the TTL was set (a time in the
/// past deletes the key), `:0` if the key is missing or the condition failed.
#[derive(Debug)]
pub struct Expire {
    key: Bytes,
    /// Milliseconds from now, or the Unix time in milliseconds when `absolute`.
    ms: i64,
    absolute: bool,
    condition: ExpireIf,
}

/// Redis' options: any of NX, XX, GT, LT (repeats allowed), then its two compatibility checks.
fn condition(options: Vec<Bytes>) -> Result<ExpireIf, CmdError> {
    let (mut nx, mut xx, mut gt, mut lt) = (false, false, false, false);
    for option in options {
        match option.to_ascii_uppercase().as_slice() {
            b"NX" => nx = true,
            b"XX" => xx = true,
            b"GT" => gt = true,
            b"LT" => lt = true,
            _ => {
                let text = String::from_utf8_lossy(&option);
                return Err(CmdError::Other(format!("ERR Unsupported option {text}")));
            }
        }
    }
    if nx && (xx || gt || lt) {
        return Err(CmdError::Other(
            "ERR NX and XX, GT or LT options at the same time are not compatible".into(),
        ));
    }
    if gt && lt {
        return Err(CmdError::Other(
            "ERR GT and LT options at the same time are not compatible".into(),
        ));
    }
    // XX with GT or LT: GT and LT already require a TTL (a key without one expires never).
    Ok(match (nx, xx, gt, lt) {
        (true, ..) => ExpireIf::NoTtl,
        (_, _, true, _) => ExpireIf::Later,
        (_, true, _, true) => ExpireIf::SoonerWithTtl,
        (_, _, _, true) => ExpireIf::Sooner,
        (_, true, ..) => ExpireIf::HasTtl,
        _ => ExpireIf::Always,
    })
}

impl Expire {
    /// Reads key, amount (seconds, or milliseconds when `millis`; a Unix time when
    /// `absolute`) and the options, checking the options first as Redis does.
    pub fn parse_frames(
        parse: &mut Parse,
        millis: bool,
        absolute: bool,
    ) -> Result<Expire, CmdError> {
        let name = match (millis, absolute) {
            (false, false) => "expire",
            (true, false) => "pexpire",
            (false, true) => "expireat",
            (true, true) => "pexpireat",
        };
        let key = parse.next_bytes()?;
        let amount = parse.next_bytes()?;
        let condition = condition(parse.rest())?;
        let amount = parse_i64(&amount).ok_or(CmdError::NotInteger)?;
        let ms = if millis {
            Some(amount)
        } else {
            amount.checked_mul(1000)
        };
        // Redis refuses a time that overflows once the current Unix time is added.
        let ms = ms.filter(|ms| absolute || *ms <= i64::MAX - unix_now_ms());
        let ms = ms.ok_or_else(|| {
            CmdError::Other(format!("ERR invalid expire time in '{name}' command"))
        })?;
        Ok(Expire {
            key,
            ms,
            absolute,
            condition,
        })
    }

    /// Sets the TTL.
    pub fn apply(self, state: &AppState, dst: &mut Replies) {
        let at = if self.absolute {
            state.db.from_unix_ms(self.ms)
        } else {
            let now = i128::from(state.db.now_ms());
            // A time at or before now deletes the key; 1 is the earliest time of the store clock.
            u64::try_from((now + i128::from(self.ms)).max(1)).unwrap_or(u64::MAX)
        };
        match state.db.expire(&self.key, at, self.condition) {
            Ok(changed) => dst.integer(i64::from(changed)),
            Err(err) => dst.error(super::mset::db_error(&err)),
        }
    }
}

/// `TTL` / `PTTL`: seconds (or ms) left, `-1` without TTL, `-2` for a missing key.
#[derive(Debug)]
pub struct TtlCmd {
    key: Bytes,
    millis: bool,
}

impl TtlCmd {
    /// Reads the key.
    pub fn parse_frames(parse: &mut Parse, millis: bool) -> Result<TtlCmd, CmdError> {
        Ok(TtlCmd {
            key: parse.next_bytes()?,
            millis,
        })
    }

    /// Replies with the time left.
    pub fn apply(self, state: &AppState, dst: &mut Replies) {
        let reply = match state.db.ttl(&self.key) {
            Ttl::Missing => -2,
            Ttl::Persistent => -1,
            Ttl::Remaining(ms) if self.millis => len_i64(usize::try_from(ms).unwrap_or(usize::MAX)),
            // Redis rounds to the nearest second.
            Ttl::Remaining(ms) => i64::try_from(ms.saturating_add(500) / 1000).unwrap_or(i64::MAX),
        };
        dst.integer(reply);
    }
}
