//! HTTP routes of the serve mode.

pub mod status;

pub use status::{StatusResponse, Targets, get_status};
