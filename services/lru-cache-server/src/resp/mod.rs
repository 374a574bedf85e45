//! The Redis protocol (RESP2 and RESP3): frames, inline requests, argument parsing, replies
//! and connections.

pub mod connection;
pub mod encode;
pub mod frame;
pub mod inline;
pub mod parse;
pub mod replies;
pub mod skip;

pub use connection::{ClientLimits, Connection, ConnectionError, Incoming};
pub use frame::{Frame, FrameError, Limits};
pub use parse::{Parse, ParseError};
pub use replies::{Proto, Replies};
