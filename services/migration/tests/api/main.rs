//! The migration service, driven as a binary and in-process, against real PostgreSQL.

mod helpers;
mod migrate;
mod serve;
