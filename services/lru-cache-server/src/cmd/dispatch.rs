//! From a request's arguments to its reply, in Redis' order of checks: the cross-protocol
//! guard, the command's name, its arity, authentication, the user's ACL, then queuing inside
//! MULTI or running it. The store counts every write for WATCH.

use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use tracing::warn;

use super::table::{Spec, lookup};
use super::{Flow, arity_ok, unknown_command, wrong_arity};
use crate::conn::Session;
use crate::conn::acl::Denied;
use crate::resp::{Parse, Replies};
use crate::state::AppState;

/// Commands that run before authentication.
const NO_AUTH: [&str; 3] = ["auth", "hello", "quit"];
/// Commands that run, not queue, inside MULTI.
const NOT_QUEUED: [&str; 5] = ["exec", "discard", "multi", "watch", "quit"];

/// Checks and runs (or queues) one request; `args` holds at least its name.
pub fn request(
    args: Vec<Bytes>,
    state: &AppState,
    session: &mut Session,
    dst: &mut Replies,
) -> Flow {
    let Some(name) = args.first() else {
        return Flow::Continue;
    };
    if name.eq_ignore_ascii_case(b"post") || name.eq_ignore_ascii_case(b"host:") {
        cross_protocol_warning();
        return Flow::Abort;
    }
    let Some(spec) = lookup(name) else {
        reject(session, dst, None, &unknown_command(&args));
        return Flow::Continue;
    };
    if !arity_ok(spec.arity, args.len()) {
        reject(session, dst, Some(spec), &wrong_arity(spec.name).text());
        return Flow::Continue;
    }
    if let Err(text) = permitted(spec, &args, session) {
        reject(session, dst, Some(spec), &text);
        return Flow::Continue;
    }
    if session.multi.is_some() && !NOT_QUEUED.contains(&spec.name) {
        return queue(spec, args, state, session, dst);
    }
    run(spec, args, state, session, dst)
}

/// Authentication and ACL: the error text when the session's user may not run this.
fn permitted(spec: &Spec, args: &[Bytes], session: &Session) -> Result<(), Cow<'static, str>> {
    match &session.user {
        Some(user) if user.open => Ok(()),
        // AUTH, HELLO and QUIT are open to every user, as in Redis.
        _ if NO_AUTH.contains(&spec.name) => Ok(()),
        Some(user) => match user.check(spec, args) {
            Ok(()) => Ok(()),
            Err(Denied::Command) => Err(Cow::Owned(format!(
                "NOPERM this user has no permissions to run the '{}' command",
                spec.name
            ))),
            Err(Denied::Key) => Err(Cow::Borrowed(
                "NOPERM this user has no permissions to access one of the keys used as arguments",
            )),
        },
        None => Err(Cow::Borrowed("NOAUTH Authentication required.")),
    }
}

/// Replies a refusal; inside MULTI it also dooms the transaction. A refused EXEC answers
/// `EXECABORT Transaction discarded because of: <error>` and discards it, as Redis does.
fn reject(session: &mut Session, dst: &mut Replies, spec: Option<&Spec>, text: &str) {
    if spec.is_some_and(|s| s.name == "exec") {
        session.multi = None;
        session.watched = None;
        // Redis quotes the error without its `ERR` code, but keeps other codes.
        let text = text.strip_prefix("ERR ").unwrap_or(text);
        dst.error(format!(
            "EXECABORT Transaction discarded because of: {text}"
        ));
        return;
    }
    session.fail_transaction();
    dst.error(text);
}

/// Queues a command inside MULTI, within `CACHE_MAX_REQUEST_BYTES` for the whole queue.
fn queue(
    spec: &'static Spec,
    args: Vec<Bytes>,
    state: &AppState,
    session: &mut Session,
    dst: &mut Replies,
) -> Flow {
    let limit = state.config.cache_max_request_bytes;
    let size: usize = args.iter().map(|a| a.len() + 16).sum();
    let Some(transaction) = session.multi.as_mut() else {
        return Flow::Continue;
    };
    if transaction.bytes + size > limit {
        transaction.failed = true;
        dst.error(format!(
            "ERR transaction larger than {limit} bytes (CACHE_MAX_REQUEST_BYTES)"
        ));
        return Flow::Continue;
    }
    transaction.bytes += size;
    transaction.queued.push((spec, args));
    dst.simple("QUEUED");
    Flow::Continue
}

/// Parses and runs a command that passed the checks (the store counts its writes for WATCH).
pub fn run(
    spec: &'static Spec,
    args: Vec<Bytes>,
    state: &AppState,
    session: &mut Session,
    dst: &mut Replies,
) -> Flow {
    let mut parse = Parse::new(args);
    // The name was matched already.
    let _ = parse.next_bytes();
    match (spec.parse)(&mut parse) {
        Ok(cmd) => cmd.apply(state, session, dst),
        Err(err) => {
            dst.error(err.text());
            Flow::Continue
        }
    }
}

/// Logs Redis' warning about a `POST` or `Host:` line, at most once a minute.
fn cross_protocol_warning() {
    static LAST_LOGGED_SECS: AtomicU64 = AtomicU64::new(0);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let last = LAST_LOGGED_SECS.load(Ordering::Relaxed);
    if now.saturating_sub(last) > 60
        && LAST_LOGGED_SECS
            .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
    {
        warn!(
            "Possible SECURITY ATTACK detected. It looks like somebody is sending POST or Host: \
             commands to the RESP port. This is likely due to an attacker attempting to use Cross \
             Protocol Scripting to compromise this cache. Connection aborted."
        );
    }
}
