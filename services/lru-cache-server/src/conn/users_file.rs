//! `CACHE_USERS_FILE`: ACL users in the format of Redis' ACL file, one user a line:
//!
//! ```text
//! # comments and blank lines are ignored
//! user app on #<sha256 hex of the password> ~app:* +@read +set
//! user admin on #<sha256 hex> allkeys +@all -flushall
//! ```
//!
//! Rules apply left to right: `on`/`off`, `nopass`, `resetpass`, `#<sha256 hex>` (a password,
//! as its lowercase or uppercase hex SHA-256), `~<glob>` and `allkeys` (`~*`), `resetkeys`,
//! `+<command>`/`-<command>`, `+@<category>`/`-@<category>`, `allcommands` (`+@all`),
//! `nocommands`, `reset`; `&<pattern>` and `allchannels` are accepted and ignored (no pub/sub).
//! A plain-text password (`>secret`) is refused: the file holds only digests. Categories:
//! `all`, `read`, `write`, `fast`, `slow`, `keyspace`, `string`, `connection`, `transaction`,
//! `admin`, `dangerous`.

use sha2::{Digest, Sha256};

use super::acl::{PasswordHash, User, Users};
use crate::cmd::{COMMANDS, Spec};

/// Builds the user table from `CACHE_PASSWORD` (the default user's password) and the contents
/// of `CACHE_USERS_FILE`; the error names the line at fault.
pub fn users(password: Option<&str>, file: Option<&str>) -> Result<Users, String> {
    let mut users = match file {
        Some(text) => parse(text)?,
        None => Vec::new(),
    };
    if let Some(password) = password {
        if users.iter().any(|u| u.name == "default") {
            return Err(
                "CACHE_PASSWORD and a `user default` line both set the default user".into(),
            );
        }
        let mut default = User::open_default();
        default.nopass = false;
        default
            .passwords
            .push(Sha256::digest(password.as_bytes()).into());
        users.push(default);
    }
    Ok(Users::new(users))
}

/// Parses the file's users.
pub fn parse(text: &str) -> Result<Vec<User>, String> {
    let mut users: Vec<User> = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = |e: String| format!("line {}: {e}", number + 1);
        let mut words = line.split_ascii_whitespace();
        if words.next() != Some("user") {
            return Err(at("expected `user <name> <rules...>`".into()));
        }
        let name = words
            .next()
            .ok_or_else(|| at("a user needs a name".into()))?;
        if users.iter().any(|u| u.name == name) {
            return Err(at(format!("user {name} is defined twice")));
        }
        let mut user = User::empty(name);
        for rule in words {
            apply_rule(&mut user, rule).map_err(at)?;
        }
        users.push(user);
    }
    Ok(users)
}

/// Applies one rule to `user`.
fn apply_rule(user: &mut User, rule: &str) -> Result<(), String> {
    match rule {
        "on" => user.enabled = true,
        "off" => user.enabled = false,
        "nopass" => {
            user.nopass = true;
            user.passwords.clear();
        }
        "resetpass" => {
            user.nopass = false;
            user.passwords.clear();
        }
        "allkeys" => user.keys = vec![b"*".to_vec()],
        "resetkeys" => user.keys.clear(),
        "allcommands" => set_commands(user, "all", true)?,
        "nocommands" => set_commands(user, "all", false)?,
        "allchannels" | "resetchannels" => {}
        "reset" => *user = User::empty(&user.name),
        _ => return apply_prefixed(user, rule),
    }
    Ok(())
}

fn apply_prefixed(user: &mut User, rule: &str) -> Result<(), String> {
    if let Some(hex) = rule.strip_prefix('#') {
        user.passwords.push(parse_hash(hex)?);
        user.nopass = false;
    } else if let Some(pattern) = rule.strip_prefix('~') {
        user.keys.push(pattern.as_bytes().to_vec());
    } else if rule.starts_with('&') {
    } else if let Some(category) = rule.strip_prefix("+@") {
        set_commands(user, category, true)?;
    } else if let Some(category) = rule.strip_prefix("-@") {
        set_commands(user, category, false)?;
    } else if let Some(name) = rule.strip_prefix('+') {
        set_command(user, name, true)?;
    } else if let Some(name) = rule.strip_prefix('-') {
        set_command(user, name, false)?;
    } else if rule.starts_with('>') || rule.starts_with('<') {
        return Err("plain-text passwords are not accepted; give `#<sha256 hex>`".into());
    } else {
        return Err(format!("unknown rule `{rule}`"));
    }
    Ok(())
}

fn parse_hash(hex: &str) -> Result<PasswordHash, String> {
    let bad = || format!("`#{hex}` is not 64 hex digits (a SHA-256 digest)");
    if hex.len() != 64 {
        return Err(bad());
    }
    let mut hash = [0u8; 32];
    for (i, byte) in hash.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2).ok_or_else(bad)?, 16)
            .map_err(|_| bad())?;
    }
    Ok(hash)
}

fn set_command(user: &mut User, name: &str, allowed: bool) -> Result<(), String> {
    let index = COMMANDS
        .iter()
        .position(|s| s.name.eq_ignore_ascii_case(name))
        .ok_or_else(|| format!("unknown command `{name}`"))?;
    user.commands[index] = allowed;
    Ok(())
}

fn set_commands(user: &mut User, category: &str, allowed: bool) -> Result<(), String> {
    if !CATEGORIES.contains(&category) {
        return Err(format!("unknown category `@{category}`"));
    }
    for (index, spec) in COMMANDS.iter().enumerate() {
        if in_category(spec, category) {
            user.commands[index] = allowed;
        }
    }
    Ok(())
}

const CATEGORIES: [&str; 11] = [
    "all",
    "read",
    "write",
    "fast",
    "slow",
    "keyspace",
    "string",
    "connection",
    "transaction",
    "admin",
    "dangerous",
];

/// Whether `spec` belongs to the ACL category, as Redis files its commands.
pub fn in_category(spec: &Spec, category: &str) -> bool {
    let named = |names: &[&str]| names.contains(&spec.name);
    match category {
        "all" => true,
        "read" => spec.flags.contains(&"readonly"),
        "write" => spec.flags.contains(&"write"),
        "fast" => spec.flags.contains(&"fast"),
        "slow" => !spec.flags.contains(&"fast"),
        "keyspace" => named(&[
            "del",
            "exists",
            "expire",
            "pexpire",
            "expireat",
            "pexpireat",
            "expiretime",
            "ttl",
            "pttl",
            "dbsize",
            "flushdb",
            "flushall",
            "unlink",
            "scan",
            "keys",
            "type",
            "rename",
            "persist",
            "touch",
        ]),
        "string" => named(&[
            "get", "set", "mget", "mset", "setex", "psetex", "incr", "decr", "incrby", "decrby",
            "getdel", "getex", "setnx", "strlen", "append",
        ]),
        "connection" => named(&[
            "ping", "echo", "hello", "auth", "client", "select", "quit", "command",
        ]),
        "transaction" => named(&["multi", "exec", "discard", "watch", "unwatch"]),
        "admin" => named(&["config"]),
        "dangerous" => named(&["config", "flushdb", "flushall", "info", "keys"]),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HASH: &str = "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b";

    #[test]
    fn a_user_line_sets_password_keys_and_commands() {
        let users = parse(&format!("# app\nuser app on #{HASH} ~app:* +@read +set\n")).unwrap();
        let app = &users[0];
        assert!(app.enabled && app.accepts(b"secret") && !app.accepts(b"other"));
        assert_eq!(app.keys, [b"app:*".to_vec()]);
        let allowed = |name: &str| {
            let i = COMMANDS.iter().position(|s| s.name == name).unwrap();
            app.commands[i]
        };
        assert!(allowed("get") && allowed("mget") && allowed("set"));
        assert!(!allowed("del") && !allowed("flushall"));
    }

    #[test]
    fn bad_lines_are_refused_with_their_number() {
        for bad in [
            "user a >plain",
            "user a #abc",
            "user a +nosuch",
            "user a +@nosuch",
            "x",
        ] {
            let error = parse(&format!("\n{bad}")).unwrap_err();
            assert!(error.starts_with("line 2:"), "{bad}: {error}");
        }
        assert!(users(Some("pw"), Some("user default on nopass")).is_err());
    }
}
