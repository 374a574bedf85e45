//! KEYS and SCAN, and Redis' glob patterns.
//!
//! The SCAN cursor is `shard * 2^32 + slot`: shards are walked in index order and, in each,
//! the slots of its slab in index order. An entry keeps its slot for as long as it lives
//! (uses, overwrites and TTL changes never move it), so a key present for the whole iteration
//! is returned exactly once; keys added or removed meanwhile may or may not be. Cursor 0
//! starts and ends an iteration.

use bytes::Bytes;

use super::{Db, lock};

/// One SCAN reply: the next cursor (0 when done) and the keys found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScanPage {
    /// Where to go on.
    pub cursor: u64,
    /// The live keys matching the pattern.
    pub keys: Vec<Bytes>,
}

const SLOT_BITS: u32 = 32;

impl Db {
    /// KEYS: every live key matching `pattern`.
    pub fn keys(&self, pattern: &[u8]) -> Vec<Bytes> {
        let mut keys = Vec::new();
        let mut cursor = 0;
        loop {
            let page = self.scan(cursor, usize::MAX, Some(pattern));
            keys.extend(page.keys);
            if page.cursor == 0 {
                return keys;
            }
            cursor = page.cursor;
        }
    }

    /// SCAN from `cursor`: looks at about `count` slots (at least one shard's worth when that
    /// shard is small), keeping the live keys that match `pattern`.
    pub fn scan(&self, cursor: u64, count: usize, pattern: Option<&[u8]>) -> ScanPage {
        let shards = self.shared.shards.len();
        let mut shard = usize::try_from(cursor >> SLOT_BITS).unwrap_or(usize::MAX);
        let mut slot = (cursor & u64::from(u32::MAX)) as usize;
        let mut keys = Vec::new();
        let mut budget = count.max(1);
        let now = self.now_ms();
        while shard < shards && budget > 0 {
            let guard = lock(&self.shared.shards[shard].shard);
            let end = guard.list.slots().min(slot.saturating_add(budget));
            for id in slot..end {
                if let Some((key, expires_at)) = guard.list.key_at(id)
                    && (expires_at == 0 || expires_at > now)
                    && pattern.is_none_or(|p| glob_match(p, key))
                {
                    keys.push(Bytes::copy_from_slice(key));
                }
            }
            budget -= end - slot;
            if end < guard.list.slots() {
                slot = end;
                break;
            }
            (shard, slot) = (shard + 1, 0);
        }
        let cursor = if shard >= shards {
            0
        } else {
            ((shard as u64) << SLOT_BITS) | slot as u64
        };
        ScanPage { cursor, keys }
    }
}

/// Redis' glob match (`stringmatchlen`), case-sensitive: `*`, `?`, `[abc]`, `[^a-z]`, `\x`.
///
/// Every element but `*` matches exactly one byte, so going back to the last `*` only is
/// enough: O(pattern × key) at worst, never exponential (a pattern like `*a*a*a*b` cannot
/// stall a shard's lock).
pub fn glob_match(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    // The last `*` seen and the text position it has been tried up to.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if pattern.get(p) == Some(&b'*') {
            star = Some((p, t));
            p += 1;
            continue;
        }
        if let Some((true, used)) = one(&pattern[p.min(pattern.len())..], text[t]) {
            p += used;
            t += 1;
            continue;
        }
        match star {
            Some((at, tried)) => {
                p = at + 1;
                t = tried + 1;
                star = Some((at, tried + 1));
            }
            None => return false,
        }
    }
    pattern[p.min(pattern.len())..].iter().all(|&c| c == b'*')
}

/// Matches one character against the element at the start of `pattern` (not `*`): whether it
/// matches and how many pattern bytes the element used.
fn one(pattern: &[u8], c: u8) -> Option<(bool, usize)> {
    match pattern.first()? {
        b'?' => Some((true, 1)),
        b'\\' if pattern.len() >= 2 => Some((pattern[1] == c, 2)),
        b'[' => Some(class(&pattern[1..], c)),
        &p => Some((p == c, 1)),
    }
}

/// A `[...]` class (after its `[`), as Redis reads it: `^` negates, `a-z` ranges (either
/// order), `\x` escapes, an unclosed class runs to the end of the pattern.
fn class(body: &[u8], c: u8) -> (bool, usize) {
    let (negate, mut at) = match body.first() {
        Some(b'^') => (true, 1),
        _ => (false, 0),
    };
    let mut hit = false;
    while at < body.len() && body[at] != b']' {
        if body[at] == b'\\' && at + 1 < body.len() {
            hit |= body[at + 1] == c;
            at += 2;
        } else if at + 2 < body.len() && body[at + 1] == b'-' {
            let (lo, hi) = (body[at].min(body[at + 2]), body[at].max(body[at + 2]));
            hit |= (lo..=hi).contains(&c);
            at += 3;
        } else {
            hit |= body[at] == c;
            at += 1;
        }
    }
    // `[`, the body, and the `]` when there is one.
    let used = 1 + at + usize::from(at < body.len());
    (hit != negate, used)
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn globs_match_like_redis() {
        let cases: &[(&[u8], &[u8], bool)] = &[
            (b"*", b"", true),
            (b"h?llo", b"hello", true),
            (b"h*llo", b"heeeello", true),
            (b"h[ae]llo", b"hallo", true),
            (b"h[ae]llo", b"hillo", false),
            (b"h[^e]llo", b"hallo", true),
            (b"h[^e]llo", b"hello", false),
            (b"h[a-b]llo", b"hbllo", true),
            (b"h[b-a]llo", b"hallo", true),
            (b"h\\*llo", b"h*llo", true),
            (b"h\\*llo", b"hello", false),
            (b"Key*", b"key1", false),
            (b"a*b*c", b"axxbyyc", true),
            (b"a*b*c", b"axxbyy", false),
            (b"*a*a*a*a*a*a*a*a*a*a*a*a*b", &[b'a'; 4000], false),
            (b"[abc", b"b", true),
            (b"x\\", b"x\\", true),
        ];
        for &(pattern, text, expected) in cases {
            assert_eq!(glob_match(pattern, text), expected, "{pattern:?} {text:?}");
        }
    }
}
