//! SELECT index

use super::CmdError;
use crate::resp::Parse;
use crate::resp::connection::Replies;

/// `SELECT index`: only database 0 exists.
#[derive(Debug)]
pub struct Select {
    index: i64,
}

impl Select {
    /// Reads the index.
    pub fn parse_frames(parse: &mut Parse) -> Result<Select, CmdError> {
        Ok(Select {
            index: parse.next_int()?,
        })
    }

    /// `+OK` for 0, Redis' out-of-range error otherwise.
    pub fn apply(self, dst: &mut Replies) {
        if self.index == 0 {
            dst.ok();
        } else {
            dst.error("ERR DB index is out of range");
        }
    }
}
