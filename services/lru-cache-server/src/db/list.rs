//! An exact LRU map laid out for memory: a slab of 32-byte nodes linked by `u32` indices, a
//! hash table of those indices, and each entry's key and value in ONE heap allocation.
//!
//! Per entry that is the 32-byte node, a 5-byte table bucket (a `u32` and its control byte)
//! and one allocation holding a 4-byte key length, the expiry time (8 bytes, only for an
//! entry with a TTL), the key and the value. The `lru` crate
//! costs a boxed node (key, value, two pointers), a 17-byte bucket and separate key and value
//! allocations; the README has the measurements. Everything here is safe code: the links are
//! indices into the slab, not pointers.

use std::hash::BuildHasher;

use foldhash::fast::RandomState;
use hashbrown::HashTable;

/// Index of a node in the slab.
pub type Id = u32;

/// The end of a list.
const NIL: Id = Id::MAX;
/// The most entries one list can hold (indices stop below [`NIL`]).
pub const MAX_LEN: usize = NIL as usize - 1;
/// Bytes of the key-length prefix in an entry's allocation.
const LEN_BYTES: usize = 4;
/// Bytes of the expiry time that follows the prefix when [`HAS_TTL`] is set.
const TTL_BYTES: usize = 8;
/// The prefix bit saying an expiry time follows (keys are far shorter than 2 GiB).
const HAS_TTL: u32 = 1 << 31;

#[derive(Debug)]
struct Node {
    /// Key length (`u32`, little endian, with [`HAS_TTL`]), the expiry time in milliseconds
    /// of the store's clock (`u64`, little endian) if the bit is set, key, value; empty in a
    /// free slot.
    data: Box<[u8]>,
    /// When the entry was last used, on the store's use clock (shared by every shard).
    stamp: u64,
    /// The next less recently used node.
    prev: Id,
    /// The next more recently used node; in a free slot, the next free slot.
    next: Id,
}

impl Node {
    fn prefix(&self) -> u32 {
        let mut len = [0u8; LEN_BYTES];
        len.copy_from_slice(&self.data[..LEN_BYTES]);
        u32::from_le_bytes(len)
    }

    fn key_len(&self) -> usize {
        (self.prefix() & !HAS_TTL) as usize
    }

    /// Where the key starts.
    fn key_start(&self) -> usize {
        if self.prefix() & HAS_TTL != 0 {
            LEN_BYTES + TTL_BYTES
        } else {
            LEN_BYTES
        }
    }

    fn key(&self) -> &[u8] {
        let start = self.key_start();
        &self.data[start..start + self.key_len()]
    }

    fn value(&self) -> &[u8] {
        &self.data[self.key_start() + self.key_len()..]
    }

    fn expires_at(&self) -> u64 {
        if self.data.is_empty() || self.prefix() & HAS_TTL == 0 {
            return 0;
        }
        let mut at = [0u8; TTL_BYTES];
        at.copy_from_slice(&self.data[LEN_BYTES..LEN_BYTES + TTL_BYTES]);
        u64::from_le_bytes(at)
    }
}

/// Key, expiry time (0: none, and then not stored) and value in one allocation. Keys are
/// bounded far below 2 GiB by `CACHE_MAX_VALUE_BYTES` (at most 512 MiB), so the length fits
/// the prefix beside its flag bit.
fn pack(key: &[u8], value: &[u8], expires_at: u64) -> Box<[u8]> {
    let ttl = if expires_at != 0 { TTL_BYTES } else { 0 };
    let mut data = Vec::with_capacity(LEN_BYTES + ttl + key.len() + value.len());
    let flag = if expires_at != 0 { HAS_TTL } else { 0 };
    data.extend_from_slice(&(key.len() as u32 | flag).to_le_bytes());
    if expires_at != 0 {
        data.extend_from_slice(&expires_at.to_le_bytes());
    }
    data.extend_from_slice(key);
    data.extend_from_slice(value);
    data.into_boxed_slice()
}

/// Entries in recency order, found by key.
#[derive(Debug, Default)]
pub struct List {
    nodes: Vec<Node>,
    table: HashTable<Id>,
    hasher: RandomState,
    /// Least recently used.
    head: Option<Id>,
    /// Most recently used.
    tail: Option<Id>,
    /// First free slot.
    free: Option<Id>,
}

fn link(id: Id) -> Option<Id> {
    (id != NIL).then_some(id)
}

impl List {
    /// Entries held.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    fn node(&self, id: Id) -> &Node {
        &self.nodes[id as usize]
    }

    fn node_mut(&mut self, id: Id) -> &mut Node {
        &mut self.nodes[id as usize]
    }

    /// The entry holding `key`.
    pub fn find(&self, key: &[u8]) -> Option<Id> {
        let hash = self.hasher.hash_one(key);
        self.table
            .find(hash, |&i| self.node(i).key() == key)
            .copied()
    }

    /// Key length and value length of an entry.
    pub fn lens(&self, id: Id) -> (usize, usize) {
        let node = self.node(id);
        let key_len = node.key_len();
        (key_len, node.data.len() - node.key_start() - key_len)
    }

    /// The key of an entry.
    pub fn key(&self, id: Id) -> &[u8] {
        self.node(id).key()
    }

    /// The value of an entry.
    pub fn value(&self, id: Id) -> &[u8] {
        self.node(id).value()
    }

    /// The expiry time of an entry (0: none).
    pub fn expires_at(&self, id: Id) -> u64 {
        self.node(id).expires_at()
    }

    /// Sets the expiry time of an entry (0: none).
    pub fn set_expires_at(&mut self, id: Id, at: u64) {
        let node = self.node_mut(id);
        if (node.expires_at() != 0) == (at != 0) && at != 0 {
            node.data[LEN_BYTES..LEN_BYTES + TTL_BYTES].copy_from_slice(&at.to_le_bytes());
        } else if (node.expires_at() != 0) != (at != 0) {
            node.data = pack(node.key(), node.value(), at);
        }
    }

    /// Slots in the slab, live or free: entry ids are below this.
    pub fn slots(&self) -> usize {
        self.nodes.len()
    }

    /// The key and expiry time of the entry in slot `id`, if the slot is live.
    pub fn key_at(&self, id: usize) -> Option<(&[u8], u64)> {
        let node = self.nodes.get(id)?;
        (!node.data.is_empty()).then(|| (node.key(), node.expires_at()))
    }

    /// The least recently used entry.
    pub fn oldest(&self) -> Option<Id> {
        self.head
    }

    /// The use stamp of the least recently used entry; `u64::MAX` when empty.
    pub fn oldest_stamp(&self) -> u64 {
        self.head.map_or(u64::MAX, |id| self.node(id).stamp)
    }

    fn unlink(&mut self, id: Id) {
        let (prev, next) = (link(self.node(id).prev), link(self.node(id).next));
        match prev {
            Some(p) => self.node_mut(p).next = id_of(next),
            None => self.head = next,
        }
        match next {
            Some(n) => self.node_mut(n).prev = id_of(prev),
            None => self.tail = prev,
        }
    }

    fn push_newest(&mut self, id: Id) {
        let tail = self.tail;
        let node = self.node_mut(id);
        node.prev = id_of(tail);
        node.next = NIL;
        match tail {
            Some(t) => self.node_mut(t).next = id,
            None => self.head = Some(id),
        }
        self.tail = Some(id);
    }

    /// Makes an entry the most recently used, used at `stamp` (no smaller than any stamp in
    /// the list).
    pub fn touch(&mut self, id: Id, stamp: u64) {
        self.node_mut(id).stamp = stamp;
        if self.tail != Some(id) {
            self.unlink(id);
            self.push_newest(id);
        }
    }

    /// Adds an entry for a key known to be absent, as the most recently used. The caller keeps
    /// `len()` below [`MAX_LEN`], and `stamp` no smaller than any stamp in the list.
    pub fn insert(&mut self, key: &[u8], value: &[u8], expires_at: u64, stamp: u64) -> Id {
        let node = Node {
            data: pack(key, value, expires_at),
            stamp,
            prev: NIL,
            next: NIL,
        };
        let id = match self.free {
            Some(id) => {
                self.free = link(self.node(id).next);
                *self.node_mut(id) = node;
                id
            }
            None => {
                self.nodes.push(node);
                (self.nodes.len() - 1) as Id
            }
        };
        self.push_newest(id);
        let hash = self.hasher.hash_one(key);
        let (nodes, hasher) = (&self.nodes, &self.hasher);
        self.table
            .insert_unique(hash, id, |&i| hasher.hash_one(nodes[i as usize].key()));
        id
    }

    /// Replaces an entry's value, in place when the length is unchanged.
    pub fn replace_value(&mut self, id: Id, value: &[u8]) {
        let node = self.node_mut(id);
        let start = node.key_start() + node.key_len();
        if node.data.len() - start == value.len() {
            node.data[start..].copy_from_slice(value);
        } else {
            node.data = pack(node.key(), value, node.expires_at());
        }
    }

    /// Removes an entry: its key length, value length and expiry time.
    pub fn remove(&mut self, id: Id) -> (usize, usize, u64) {
        let (key_len, value_len) = self.lens(id);
        let expires_at = self.node(id).expires_at();
        let hash = self.hasher.hash_one(self.node(id).key());
        if let Ok(entry) = self.table.find_entry(hash, |&i| i == id) {
            entry.remove();
        }
        self.unlink(id);
        let free = self.free;
        let node = self.node_mut(id);
        node.data = Box::default();
        node.next = id_of(free);
        self.free = Some(id);
        (key_len, value_len, expires_at)
    }

    /// Removes every entry and frees the memory.
    pub fn clear(&mut self) {
        *self = List::default();
    }
}

fn id_of(link: Option<Id>) -> Id {
    link.unwrap_or(NIL)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys from least to most recently used, walking the links.
    fn order(list: &List) -> Vec<Vec<u8>> {
        let mut keys = Vec::new();
        let mut at = list.oldest();
        while let Some(id) = at {
            keys.push(list.node(id).key().to_vec());
            at = link(list.node(id).next);
        }
        keys
    }

    #[test]
    fn a_node_is_32_bytes() {
        assert_eq!(std::mem::size_of::<Node>(), 32);
    }

    #[test]
    fn entries_keep_recency_order_and_free_slots_are_reused() {
        let mut list = List::default();
        let a = list.insert(b"a", b"1", 0, 1);
        let b = list.insert(b"b", b"22", 7, 2);
        list.insert(b"c", b"", 0, 3);
        assert_eq!(list.oldest_stamp(), 1);
        list.touch(a, 4);
        assert_eq!(list.oldest_stamp(), 2);
        assert_eq!(order(&list), [b"b".to_vec(), b"c".to_vec(), b"a".to_vec()]);
        assert_eq!(
            (list.find(b"b"), list.lens(b), list.expires_at(b)),
            (Some(b), (1, 2), 7)
        );
        list.set_expires_at(a, 9);
        list.set_expires_at(a, 11);
        assert_eq!((list.expires_at(a), list.value(a)), (11, &b"1"[..]));
        list.replace_value(a, b"longer");
        assert_eq!(
            (list.expires_at(a), list.value(a), list.lens(a)),
            (11, &b"longer"[..], (1, 6))
        );
        list.set_expires_at(a, 0);
        assert_eq!(
            (list.expires_at(a), list.value(a), list.find(b"a")),
            (0, &b"longer"[..], Some(a))
        );
        list.replace_value(a, b"1");
        assert_eq!(list.remove(b), (1, 2, 7));
        assert_eq!(list.find(b"b"), None);
        let d = list.insert(b"dd", b"4", 0, 5);
        assert_eq!(d, b, "the freed slot is reused");
        list.replace_value(d, b"five5");
        list.replace_value(a, b"9");
        assert_eq!((list.value(d), list.value(a)), (&b"five5"[..], &b"9"[..]));
        assert_eq!(order(&list), [b"c".to_vec(), b"a".to_vec(), b"dd".to_vec()]);
        assert_eq!(list.len(), 3);
        list.clear();
        assert_eq!(
            (list.len(), list.oldest(), list.find(b"a")),
            (0, None, None)
        );
        assert_eq!(list.oldest_stamp(), u64::MAX);
    }
}
