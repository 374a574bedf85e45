//! QUIT

use super::{CmdError, Flow};
use crate::resp::Parse;
use crate::resp::connection::Replies;

/// `QUIT`: `+OK`, then the server closes the connection.
#[derive(Debug)]
pub struct Quit;

impl Quit {
    /// Ignores any arguments, as Redis does.
    pub fn parse_frames(parse: &mut Parse) -> Result<Quit, CmdError> {
        let _ = parse.rest();
        Ok(Quit)
    }

    /// Replies `+OK` and asks for the connection to be closed.
    pub fn apply(self, dst: &mut Replies) -> Flow {
        dst.ok();
        Flow::Close
    }
}
