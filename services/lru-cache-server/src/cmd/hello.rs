//! HELLO [protover [AUTH username password] [SETNAME clientname]]

use bytes::Bytes;
use tracing::info;

use super::CmdError;
use super::auth::WRONGPASS;
use super::info::REDIS_VERSION;
use crate::conn::Session;
use crate::resp::parse::parse_i64;
use crate::resp::{Parse, Proto, Replies};
use crate::state::AppState;

const NOAUTH_HELLO: &str = "NOAUTH HELLO must be called with the client already authenticated, \
    otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the \
    client and select the RESP protocol version at the same time";

/// `HELLO`: switches the protocol, optionally authenticates and names the client, and
/// answers Redis' map of server facts (a flat array in RESP2), in the new protocol.
#[derive(Debug)]
pub struct Hello {
    proto: Option<Proto>,
    auth: Option<(Bytes, Bytes)>,
    name: Option<Bytes>,
}

impl Hello {
    /// Reads the version and options, with Redis' errors in Redis' order.
    pub fn parse_frames(parse: &mut Parse) -> Result<Hello, CmdError> {
        let mut hello = Hello {
            proto: None,
            auth: None,
            name: None,
        };
        if let Ok(version) = parse.next_bytes() {
            hello.proto = Some(match parse_i64(&version) {
                Some(2) => Proto::Resp2,
                Some(3) => Proto::Resp3,
                Some(_) => {
                    return Err(CmdError::Other(
                        "NOPROTO unsupported protocol version".into(),
                    ));
                }
                None => {
                    return Err(CmdError::Other(
                        "ERR Protocol version is not an integer or out of range".into(),
                    ));
                }
            });
        }
        while let Ok(option) = parse.next_bytes() {
            let more = parse.remaining();
            if option.eq_ignore_ascii_case(b"auth") && more >= 2 {
                hello.auth = Some((parse.next_bytes()?, parse.next_bytes()?));
            } else if option.eq_ignore_ascii_case(b"setname") && more >= 1 {
                hello.name = Some(valid_name(parse.next_bytes()?)?);
            } else {
                let option = String::from_utf8_lossy(&option);
                return Err(CmdError::Other(format!(
                    "ERR Syntax error in HELLO option '{option}'"
                )));
            }
        }
        Ok(hello)
    }

    /// Authenticates if asked, then switches the protocol and replies.
    pub fn apply(self, state: &AppState, session: &mut Session, dst: &mut Replies) {
        if let Some((user, password)) = &self.auth {
            match state.users.authenticate(user, password) {
                Some(found) => session.user = Some(found),
                None => {
                    info!(user = %String::from_utf8_lossy(user), "HELLO AUTH refused");
                    return dst.error(WRONGPASS);
                }
            }
        }
        if session.user.is_none() {
            return dst.error(NOAUTH_HELLO);
        }
        if let Some(name) = self.name {
            session.name = Some(name);
        }
        if let Some(proto) = self.proto {
            dst.set_proto(proto);
        }
        let id = i64::try_from(session.id).unwrap_or(i64::MAX);
        dst.map_len(7);
        for (key, value) in [("server", "redis"), ("version", REDIS_VERSION)] {
            dst.bulk(key.as_bytes());
            dst.bulk(value.as_bytes());
        }
        dst.bulk(b"proto");
        dst.integer(dst.proto().version());
        dst.bulk(b"id");
        dst.integer(id);
        for (key, value) in [("mode", "standalone"), ("role", "master")] {
            dst.bulk(key.as_bytes());
            dst.bulk(value.as_bytes());
        }
        dst.bulk(b"modules");
        dst.array_len(0);
    }
}

/// Redis' rule for client names: printable ASCII without spaces.
pub fn valid_name(name: Bytes) -> Result<Bytes, CmdError> {
    if name.iter().all(|&b| (b'!'..=b'~').contains(&b)) {
        Ok(name)
    } else {
        Err(CmdError::Other(
            "ERR Client names cannot contain spaces, newlines or special characters.".into(),
        ))
    }
}
