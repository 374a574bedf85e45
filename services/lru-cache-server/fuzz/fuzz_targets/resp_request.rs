//! The RESP request parser on arbitrary bytes, fed whole and in pieces: it must never panic,
//! a request checked in pieces (resuming with `Progress`) must give the same outcome as the
//! whole, and every complete request must parse.

#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use lru_cache_server::resp::frame::{self, Limits, Progress};

const LIMITS: Limits = Limits {
    max_arg_bytes: 64,
    max_request_bytes: 4096,
};

fuzz_target!(|data: &[u8]| {
    // The first byte picks the piece size, the rest is the input.
    let Some((&step, input)) = data.split_first() else {
        return;
    };
    let step = usize::from(step % 16) + 1;
    let whole = frame::check(input, &LIMITS);
    let mut progress = Progress::default();
    let mut end = 0;
    let pieces = loop {
        end = (end + step).min(input.len());
        let result = frame::check_from(&input[..end], &LIMITS, &mut progress);
        if result != Err(frame::FrameError::Incomplete) || end == input.len() {
            break result;
        }
    };
    assert_eq!(whole, pieces, "checking in pieces of {step} differs");
    if let Ok(checked) = whole {
        let _ = frame::parse(Bytes::copy_from_slice(&input[..checked.len]), checked);
    }
});
