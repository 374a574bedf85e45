//! Per-connection state: protocol-independent facts about one client (its id and name, the
//! user it authenticated as, an open transaction, watched keys) and the server-wide tables
//! these rely on (ACL users, key versions for WATCH).

pub mod acl;
pub mod users_file;
pub mod versions;

use std::sync::Arc;

use bytes::Bytes;

use acl::User;
use versions::Watching;

use crate::cmd::Spec;
use crate::config::Config;

/// The ACL users of `CACHE_PASSWORD` and `CACHE_USERS_FILE`; the error names the variable.
pub fn load_users(config: &Config) -> anyhow::Result<acl::Users> {
    let file = match &config.cache_users_file {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("CACHE_USERS_FILE: cannot read {path}: {e}"))?,
        ),
        None => None,
    };
    let password = config.cache_password.as_ref().map(|p| p.0.as_str());
    let users = users_file::users(password, file.as_deref())
        .map_err(|e| anyhow::anyhow!("CACHE_USERS_FILE: {e}"))?;
    tracing::info!(
        password = password.is_some(),
        users_file = config.cache_users_file.as_deref(),
        "RESP authentication {}",
        if users.initial().is_some() {
            "not required"
        } else {
            "required"
        }
    );
    Ok(users)
}

/// One client's state between requests.
#[derive(Debug)]
pub struct Session {
    /// The client id HELLO reports (the connection's number since start).
    pub id: u64,
    /// The name set by `HELLO .. SETNAME` or `CLIENT SETNAME`.
    pub name: Option<Bytes>,
    /// The user the client authenticated as; `None` until it has (when a password is set).
    pub user: Option<Arc<User>>,
    /// The open transaction, between MULTI and EXEC or DISCARD.
    pub multi: Option<Transaction>,
    /// Keys watched since WATCH.
    pub watched: Option<Watching>,
}

/// Commands queued by MULTI.
#[derive(Debug, Default)]
pub struct Transaction {
    /// Each queued command with its arguments, name first.
    pub queued: Vec<(&'static Spec, Vec<Bytes>)>,
    /// Bytes the queued arguments hold, counted against `CACHE_MAX_REQUEST_BYTES`.
    pub bytes: usize,
    /// A command was refused while queuing: EXEC answers EXECABORT.
    pub failed: bool,
}

impl Session {
    /// A new client's state: authenticated as `user` when that needs no password.
    pub fn new(id: u64, user: Option<Arc<User>>) -> Session {
        Session {
            id,
            name: None,
            user,
            multi: None,
            watched: None,
        }
    }

    /// Marks the open transaction (if any) as failed, so EXEC aborts it.
    pub fn fail_transaction(&mut self) {
        if let Some(multi) = self.multi.as_mut() {
            multi.failed = true;
        }
    }
}
