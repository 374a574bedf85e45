//! ACL users: who may authenticate with which password, and which commands and keys each user
//! may touch. Built once at start-up from `CACHE_PASSWORD` and `CACHE_USERS_FILE`
//! (`users_file.rs`); never changed at run time.

use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;
use sha2::{Digest, Sha256};

use crate::cmd::{COMMANDS, Spec};

/// A SHA-256 digest of a password.
pub type PasswordHash = [u8; 32];

/// One user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    /// The user name (`default` for the default user).
    pub name: String,
    /// `on`: the user may authenticate.
    pub enabled: bool,
    /// `nopass`: any password (or none, for the default user) is accepted.
    pub nopass: bool,
    /// Digests of the accepted passwords.
    pub passwords: Vec<PasswordHash>,
    /// Per entry of [`COMMANDS`], whether the user may run it.
    pub commands: Vec<bool>,
    /// Glob patterns of the keys the user may touch; `["*"]` for every key.
    pub keys: Vec<Vec<u8>>,
    /// Every command and key allowed, so the checks are skipped (set by [`Users::new`]).
    pub open: bool,
}

/// Why a command was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Denied {
    /// The user may not run this command.
    Command,
    /// One of the keys is outside the user's patterns.
    Key,
}

impl User {
    /// A user with no password, no commands and no keys, disabled: the start of a rule list.
    pub fn empty(name: &str) -> User {
        User {
            name: name.to_owned(),
            enabled: false,
            nopass: false,
            passwords: Vec::new(),
            commands: vec![false; COMMANDS.len()],
            keys: Vec::new(),
            open: false,
        }
    }

    /// The default user of a server without `CACHE_PASSWORD` or a users file: anyone, anything.
    pub fn open_default() -> User {
        User {
            enabled: true,
            nopass: true,
            commands: vec![true; COMMANDS.len()],
            keys: vec![b"*".to_vec()],
            open: true,
            ..User::empty("default")
        }
    }

    /// Whether `password` is one of the user's (compared by digest, in constant time).
    pub fn accepts(&self, password: &[u8]) -> bool {
        if !self.enabled {
            return false;
        }
        if self.nopass {
            return true;
        }
        let digest: PasswordHash = Sha256::digest(password).into();
        // Check every hash, so the time does not tell which one matched.
        self.passwords
            .iter()
            .fold(false, |found, hash| found | constant_time_eq(hash, &digest))
    }

    /// Whether the user may run `spec` with these arguments (name first).
    pub fn check(&self, spec: &Spec, args: &[Bytes]) -> Result<(), Denied> {
        let index = COMMANDS.iter().position(|s| std::ptr::eq(s, spec));
        if index.is_none_or(|i| self.commands.get(i) != Some(&true)) {
            return Err(Denied::Command);
        }
        if self.keys.iter().any(|p| p == b"*") {
            return Ok(());
        }
        let allowed = |key: &Bytes| self.keys.iter().any(|p| key_match(p, key));
        if key_args(spec, args).all(allowed) {
            Ok(())
        } else {
            Err(Denied::Key)
        }
    }

    fn unrestricted(&self) -> bool {
        self.commands.iter().all(|&allowed| allowed) && self.keys.iter().any(|p| p == b"*")
    }
}

/// The key arguments of a request, from the table's first key, last key and step.
pub fn key_args<'a>(spec: &Spec, args: &'a [Bytes]) -> impl Iterator<Item = &'a Bytes> {
    let argc = i64::try_from(args.len()).unwrap_or(i64::MAX);
    let first = spec.first_key;
    let last = if spec.last_key < 0 {
        argc + spec.last_key
    } else {
        spec.last_key.min(argc - 1)
    };
    let step = usize::try_from(spec.step.max(1)).unwrap_or(1);
    let range = if first > 0 && last >= first {
        usize::try_from(first).unwrap_or(0)..usize::try_from(last + 1).unwrap_or(0)
    } else {
        0..0
    };
    args.get(range).unwrap_or_default().iter().step_by(step)
}

fn constant_time_eq(a: &PasswordHash, b: &PasswordHash) -> bool {
    a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

/// Redis' glob (`stringmatchlen`), case-sensitive: `*`, `?`, `[abc]`, `[^a-z]`, `\x`.
pub fn key_match(pattern: &[u8], key: &[u8]) -> bool {
    let (mut p, mut k) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    loop {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, k));
            p += 1;
            continue;
        }
        if k == key.len() {
            return pattern[p..].iter().all(|&c| c == b'*');
        }
        if let Some((true, next)) = match_one(pattern, p, key[k]) {
            p = next;
            k += 1;
            continue;
        }
        match star {
            Some((sp, sk)) => {
                star = Some((sp, sk + 1));
                p = sp + 1;
                k = sk + 1;
            }
            None => return false,
        }
    }
}

/// Matches one byte against the pattern element at `p`; `None` at the pattern's end.
fn match_one(pattern: &[u8], p: usize, c: u8) -> Option<(bool, usize)> {
    match *pattern.get(p)? {
        b'?' => Some((true, p + 1)),
        b'\\' if p + 1 < pattern.len() => Some((pattern[p + 1] == c, p + 2)),
        b'[' => {
            let mut i = p + 1;
            let negate = pattern.get(i) == Some(&b'^');
            if negate {
                i += 1;
            }
            let mut matched = false;
            while i < pattern.len() && pattern[i] != b']' {
                if pattern[i] == b'\\' && i + 1 < pattern.len() {
                    matched |= pattern[i + 1] == c;
                    i += 2;
                } else if i + 2 < pattern.len() && pattern[i + 1] == b'-' && pattern[i + 2] != b']'
                {
                    let (lo, hi) = (
                        pattern[i].min(pattern[i + 2]),
                        pattern[i].max(pattern[i + 2]),
                    );
                    matched |= (lo..=hi).contains(&c);
                    i += 3;
                } else {
                    matched |= pattern[i] == c;
                    i += 1;
                }
            }
            Some((matched != negate, (i + 1).min(pattern.len())))
        }
        other => Some((other == c, p + 1)),
    }
}

/// Every user, by name.
#[derive(Debug)]
pub struct Users {
    default: Arc<User>,
    named: HashMap<String, Arc<User>>,
}

impl Default for Users {
    fn default() -> Users {
        Users::new(vec![User::open_default()])
    }
}

impl Users {
    /// The table of these users; a missing `default` user is the open default.
    pub fn new(users: Vec<User>) -> Users {
        let mut named: HashMap<String, Arc<User>> = users
            .into_iter()
            .map(|mut u| {
                u.open = u.unrestricted();
                (u.name.clone(), Arc::new(u))
            })
            .collect();
        let default = named
            .remove("default")
            .unwrap_or_else(|| Arc::new(User::open_default()));
        Users { default, named }
    }

    /// The user a new connection starts as: the default user if it needs no password.
    pub fn initial(&self) -> Option<Arc<User>> {
        (self.default.enabled && self.default.nopass).then(|| Arc::clone(&self.default))
    }

    /// Whether the default user needs a password (`AUTH <password>` is then allowed).
    pub fn default_has_password(&self) -> bool {
        !self.default.nopass
    }

    /// The user `name` if `password` is one of theirs and they are enabled.
    pub fn authenticate(&self, name: &[u8], password: &[u8]) -> Option<Arc<User>> {
        let user = if name == b"default" {
            &self.default
        } else {
            self.named.get(std::str::from_utf8(name).ok()?)?
        };
        user.accepts(password).then(|| Arc::clone(user))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_patterns_match_like_redis_globs() {
        assert!(key_match(b"app:*", b"app:1"));
        assert!(!key_match(b"app:*", b"other"));
        assert!(key_match(b"a?c", b"abc"));
        assert!(key_match(b"[a-c]x", b"bx"));
        assert!(!key_match(b"[^a-c]x", b"bx"));
        assert!(key_match(b"a\\*", b"a*"));
        assert!(!key_match(b"a\\*", b"ab"));
        assert!(key_match(b"*:*:end", b"x:y:z:end"));
        assert!(!key_match(b"App:*", b"app:1"));
    }

    #[test]
    fn passwords_are_checked_by_digest() {
        let mut user = User::empty("u");
        user.enabled = true;
        user.passwords.push(Sha256::digest(b"secret").into());
        assert!(user.accepts(b"secret"));
        assert!(!user.accepts(b"Secret"));
        user.enabled = false;
        assert!(!user.accepts(b"secret"));
    }
}
