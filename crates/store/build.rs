//! Fingerprints each database's migrations folder, so test templates are rebuilt after any edit.

use std::{
    fs,
    hash::{DefaultHasher, Hash, Hasher},
    path::Path,
};

fn hash_dir(dir: &Path, hasher: &mut DefaultHasher) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        path.file_name().hash(hasher);
        if path.is_dir() {
            hash_dir(&path, hasher);
        } else if let Ok(bytes) = fs::read(&path) {
            bytes.hash(hasher);
        }
    }
}

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    for name in ["write", "read", "sequence", "rate_cache", "event_gateway"] {
        let mut hasher = DefaultHasher::new();
        hash_dir(&Path::new("migrations").join(name), &mut hasher);
        println!(
            "cargo:rustc-env=MIGRATIONS_FINGERPRINT_{}={:016x}",
            name.to_uppercase(),
            hasher.finish()
        );
    }
}
