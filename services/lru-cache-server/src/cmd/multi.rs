//! MULTI, EXEC, DISCARD, WATCH key [key ...], UNWATCH
//!
//! Between MULTI and EXEC commands are checked (name, arity, authentication, ACL) and queued
//! (`+QUEUED`); one refused there makes EXEC answer EXECABORT. EXEC runs the queue back to back
//! and answers an array of the replies, or a null array when a watched key was written since
//! WATCH (the store's `db/versions.rs`). With one RESP thread (`CACHE_THREADS=1`, the default)
//! no other RESP client runs in between, as in Redis; with more threads, or through the HTTP
//! API, other writes may interleave with the queued commands. WATCH sees every change to a watched key:
//! writes over RESP or HTTP, evictions and expiry.

use bytes::Bytes;

use super::{CmdError, Flow, dispatch};
use crate::conn::versions::Watching;
use crate::conn::{Session, Transaction};
use crate::resp::{Parse, Replies};
use crate::state::AppState;

/// The transaction commands.
#[derive(Debug)]
pub enum TxCmd {
    /// `MULTI`
    Multi,
    /// `EXEC`
    Exec,
    /// `DISCARD`
    Discard,
    /// `WATCH key [key ...]`
    Watch(Vec<Bytes>),
    /// `UNWATCH`
    Unwatch,
}

impl TxCmd {
    /// `WATCH`'s keys (the others take no arguments; the table checks their arity).
    pub fn parse_watch(parse: &mut Parse) -> Result<TxCmd, CmdError> {
        Ok(TxCmd::Watch(parse.rest()))
    }

    /// Runs the command.
    pub fn apply(self, state: &AppState, session: &mut Session, dst: &mut Replies) -> Flow {
        match self {
            TxCmd::Multi if session.multi.is_some() => {
                dst.error("ERR MULTI calls can not be nested");
            }
            TxCmd::Multi => {
                session.multi = Some(Transaction::default());
                dst.ok();
            }
            TxCmd::Exec => return exec(state, session, dst),
            TxCmd::Discard if session.multi.is_none() => {
                dst.error("ERR DISCARD without MULTI");
            }
            TxCmd::Discard => {
                session.multi = None;
                session.watched = None;
                dst.ok();
            }
            TxCmd::Watch(_) if session.multi.is_some() => {
                dst.error("ERR WATCH inside MULTI is not allowed");
            }
            TxCmd::Watch(keys) => {
                let versions = state.db.versions();
                let watching = session
                    .watched
                    .get_or_insert_with(|| Watching::new(versions));
                for key in &keys {
                    watching.add(versions, key);
                }
                dst.ok();
            }
            TxCmd::Unwatch => {
                session.watched = None;
                dst.ok();
            }
        }
        Flow::Continue
    }
}

/// `EXEC`: the queued commands' replies, EXECABORT, or a null array after a watched write.
fn exec(state: &AppState, session: &mut Session, dst: &mut Replies) -> Flow {
    let Some(transaction) = session.multi.take() else {
        dst.error("ERR EXEC without MULTI");
        return Flow::Continue;
    };
    let watched = session.watched.take();
    if transaction.failed {
        dst.error("EXECABORT Transaction discarded because of previous errors.");
        return Flow::Continue;
    }
    if watched.is_some_and(|w| !w.unchanged(state.db.versions())) {
        dst.null_array();
        return Flow::Continue;
    }
    dst.array_len(transaction.queued.len());
    let mut flow = Flow::Continue;
    for (spec, args) in transaction.queued {
        if dispatch::run(spec, args, state, session, dst) == Flow::Abort {
            flow = Flow::Abort;
        }
    }
    flow
}
