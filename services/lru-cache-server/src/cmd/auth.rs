//! AUTH [username] password

use bytes::Bytes;
use tracing::info;

use super::CmdError;
use crate::conn::Session;
use crate::resp::{Parse, Replies};
use crate::state::AppState;

/// Redis' reply to a wrong user name or password, or a disabled user.
pub const WRONGPASS: &str = "WRONGPASS invalid username-password pair or user is disabled.";

/// `AUTH [username] password`: `+OK` and the client is that user from now on; the user it
/// was before stays on a failure. Neither the password nor its digest is ever logged.
#[derive(Debug)]
pub struct Auth {
    user: Option<Bytes>,
    password: Bytes,
}

impl Auth {
    /// One argument is the default user's password, two are a user and a password.
    pub fn parse_frames(parse: &mut Parse) -> Result<Auth, CmdError> {
        let mut args = parse.rest();
        let password = args.pop().ok_or(CmdError::Syntax)?;
        let user = args.pop();
        if !args.is_empty() {
            return Err(CmdError::Syntax);
        }
        Ok(Auth { user, password })
    }

    /// Checks the password.
    pub fn apply(self, state: &AppState, session: &mut Session, dst: &mut Replies) {
        if self.user.is_none() && !state.users.default_has_password() {
            return dst.error(
                "ERR AUTH <password> called without any password configured for the default \
                 user. Are you sure your configuration is correct?",
            );
        }
        let user = self.user.unwrap_or(Bytes::from_static(b"default"));
        match state.users.authenticate(&user, &self.password) {
            Some(found) => {
                session.user = Some(found);
                dst.ok();
            }
            None => {
                info!(user = %String::from_utf8_lossy(&user), "AUTH refused");
                dst.error(WRONGPASS);
            }
        }
    }
}
