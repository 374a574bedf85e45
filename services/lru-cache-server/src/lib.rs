//! lru-cache-server
