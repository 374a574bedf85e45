//! The configured API keys: parsing SPEC §11's `name:sha256hex:scope,scope` entries and finding
//! the entry of a presented key by its SHA-256, in constant time.
//!
//! Only hashes are kept: the key a caller presents is hashed, compared and dropped.

use sha2::{Digest, Sha256};
use subtle::{ConditionallySelectable, ConstantTimeEq};

/// The scope that grants everything.
pub const ALL_SCOPES: &str = "*";

/// One configured key: its name (logged), the SHA-256 of the key, and its scopes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyEntry {
    /// Who the key belongs to; logged on every request it authorises.
    pub name: String,
    hash: [u8; 32],
    scopes: Vec<String>,
}

impl KeyEntry {
    /// Whether the key carries `scope`, or `*`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope || s == ALL_SCOPES)
    }

    /// The scopes, as configured.
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }
}

/// Every configured key. Empty means the service runs open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeySet {
    entries: Vec<KeyEntry>,
}

/// The lowercase hex SHA-256 of `key`: what an entry holds in place of the key
/// (the same as `printf %s "$KEY" | sha256sum`).
pub fn hash_key(key: &str) -> String {
    digest(key).iter().map(|b| format!("{b:02x}")).collect()
}

fn digest(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

impl KeySet {
    /// Whether no key is configured.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// How many keys are configured.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Adds `entry`; refuses a hash another entry already has (the key would be ambiguous).
    pub fn push(&mut self, entry: KeyEntry) -> Result<(), String> {
        if self.entries.iter().any(|e| e.hash == entry.hash) {
            return Err(format!(
                "entry '{}' has the same key hash as another entry",
                entry.name
            ));
        }
        self.entries.push(entry);
        Ok(())
    }

    /// The entry whose hash is the SHA-256 of `key`. Every entry is compared, in constant time,
    /// so the time taken says nothing about which entry (if any) matched or how closely.
    pub fn find(&self, key: &str) -> Option<&KeyEntry> {
        let presented = digest(key);
        let mut found = 0u32;
        let mut any = subtle::Choice::from(0);
        for (index, entry) in self.entries.iter().enumerate() {
            let equal = entry.hash.ct_eq(&presented);
            let first = equal & !any;
            let index = u32::try_from(index).unwrap_or(u32::MAX);
            found = u32::conditional_select(&found, &index, first);
            any |= equal;
        }
        if bool::from(any) {
            self.entries.get(found as usize)
        } else {
            None
        }
    }
}

/// Parses one `name:sha256hex:scope,scope` entry (split at the first two colons). The error
/// shows the entry, except a malformed hash field, which might be a key pasted by mistake.
pub fn parse_entry(entry: &str) -> Result<KeyEntry, String> {
    let mut parts = entry.splitn(3, ':');
    let (name, hash, scopes) = match (parts.next(), parts.next(), parts.next()) {
        (Some(name), Some(hash), Some(scopes)) => (name.trim(), hash.trim(), scopes),
        _ => {
            return Err(format!(
                "entry '{}' is not name:sha256hex:scope,scope",
                redact(entry)
            ));
        }
    };
    let Some(hash_bytes) = parse_hash(hash) else {
        return Err(format!(
            "entry '{name}:<{} characters>:{scopes}' needs the lowercase hex SHA-256 of the key \
             (64 characters) as its second field: printf %s \"$KEY\" | sha256sum",
            hash.chars().count()
        ));
    };
    if name.is_empty() || name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "entry '{entry}' needs a name without spaces before the first ':'"
        ));
    }
    let scopes: Vec<String> = scopes.split(',').map(|s| s.trim().to_owned()).collect();
    if scopes.iter().any(String::is_empty) {
        return Err(format!(
            "entry '{entry}' needs one or more scopes separated by ',', none empty"
        ));
    }
    Ok(KeyEntry {
        name: name.to_owned(),
        hash: hash_bytes,
        scopes,
    })
}

/// An entry without its second field (which, malformed, could be a key).
fn redact(entry: &str) -> String {
    match entry.split_once(':') {
        Some((name, _)) => format!("{name}:…"),
        None => "<no ':' in it>".to_owned(),
    }
}

fn parse_hash(hex: &str) -> Option<[u8; 32]> {
    if hex.len() != 64 || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    let mut out = [0u8; 32];
    for (byte, pair) in out.iter_mut().zip(hex.as_bytes().chunks(2)) {
        let text = std::str::from_utf8(pair).ok()?;
        *byte = u8::from_str_radix(text, 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, key: &str, scopes: &str) -> KeyEntry {
        parse_entry(&format!("{name}:{}:{scopes}", hash_key(key))).unwrap()
    }

    #[test]
    fn the_hash_is_sha256_in_lowercase_hex() {
        // printf %s abc | sha256sum
        assert_eq!(
            hash_key("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn a_key_is_found_by_its_hash_and_carries_its_scopes() {
        let mut keys = KeySet::default();
        keys.push(entry("reader", "k1", "orders:read")).unwrap();
        keys.push(entry("admin", "k2", "*")).unwrap();
        let found = keys.find("k1").unwrap();
        assert_eq!(found.name, "reader");
        assert!(found.has_scope("orders:read"));
        assert!(!found.has_scope("orders:write"));
        assert!(keys.find("k2").unwrap().has_scope("anything:at:all"));
        assert!(keys.find("k3").is_none());
        assert!(keys.find("").is_none());
    }

    #[test]
    fn scopes_split_at_the_first_two_colons() {
        let parsed = entry("gw", "k", "events:acme:send, events:acme:admin");
        assert_eq!(parsed.scopes(), ["events:acme:send", "events:acme:admin"]);
    }

    #[test]
    fn a_malformed_hash_is_refused_without_echoing_it() {
        let error = parse_entry("bot:my-secret-key:orders:read").unwrap_err();
        assert!(!error.contains("my-secret-key"), "{error}");
        assert!(error.contains("bot:"), "{error}");
        let upper = hash_key("k").to_uppercase();
        assert!(parse_entry(&format!("bot:{upper}:x")).is_err());
    }

    #[test]
    fn missing_parts_names_and_scopes_are_refused() {
        let hash = hash_key("k");
        for bad in [
            "justaname".to_owned(),
            format!("bot:{hash}"),
            format!(":{hash}:x"),
            format!("bot:{hash}:"),
            format!("bot:{hash}:a,,b"),
        ] {
            assert!(parse_entry(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_same_hash_twice_is_refused() {
        let mut keys = KeySet::default();
        keys.push(entry("a", "k", "x")).unwrap();
        assert!(keys.push(entry("b", "k", "y")).is_err());
        keys.push(entry("a", "other", "x")).unwrap();
        assert_eq!(keys.len(), 2);
    }
}
