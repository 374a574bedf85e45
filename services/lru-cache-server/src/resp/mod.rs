//! The Redis protocol (RESP2): frames, inline requests, argument parsing and connections.

pub mod connection;
pub mod encode;
pub mod frame;
pub mod inline;
pub mod parse;
pub mod skip;

pub use connection::{Connection, ConnectionError, Incoming};
pub use frame::{Frame, FrameError, Limits};
pub use parse::{Parse, ParseError};
