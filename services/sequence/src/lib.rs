//! The sequence service: `GET /v1/{forward,reverse}` and `GET /v2/{forward,reverse}?count=N`
//! hand out numbers drawn from the PostgreSQL sequences `forward_sequence` and
//! `reverse_sequence` (SPEC §6), one statement per request or, in block mode, from blocks
//! reserved ahead in memory.

pub mod blocks;
pub mod config;
pub mod dispenser;
pub mod routes;
pub mod startup;
