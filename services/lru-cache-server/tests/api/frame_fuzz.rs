//! The frame parser under arbitrary bytes: it may refuse them, it never panics.

use bytes::Bytes;
use lru_cache_server::resp::frame::{self, Frame, FrameError, Limits};
use proptest::prelude::*;

const LIMITS: Limits = Limits {
    max_arg_bytes: 1024,
    max_request_bytes: 64 * 1024,
};

fn check_then_parse(input: &[u8]) -> Result<Frame, FrameError> {
    let checked = frame::check(input, &LIMITS)?;
    assert!(checked.len <= input.len());
    frame::parse(Bytes::copy_from_slice(&input[..checked.len]), checked)
}

fn encode(args: &[Vec<u8>]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for arg in args {
        out.extend(format!("${}\r\n", arg.len()).into_bytes());
        out.extend(arg);
        out.extend(b"\r\n");
    }
    out
}

proptest! {
    #[test]
    fn random_bytes_never_panic_the_parser(input in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = check_then_parse(&input);
    }

    #[test]
    fn resp_shaped_noise_never_panics_the_parser(
        parts in prop::collection::vec(
            prop_oneof![
                Just(b"*".to_vec()), Just(b"$".to_vec()), Just(b"\r\n".to_vec()),
                Just(b"-1".to_vec()), Just(b"3".to_vec()), Just(b"99999999999".to_vec()),
                Just(b"\"".to_vec()), Just(b"'".to_vec()), Just(b"\\x".to_vec()),
                prop::collection::vec(any::<u8>(), 0..8),
            ],
            0..40,
        )
    ) {
        let _ = check_then_parse(&parts.concat());
    }

    #[test]
    fn encoded_requests_parse_back_to_their_arguments(
        args in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..64), 1..10),
    ) {
        let input = encode(&args);
        for end in 0..input.len() {
            prop_assert_eq!(frame::check(&input[..end], &LIMITS), Err(FrameError::Incomplete));
        }
        let expected = Frame::Array(args.iter().map(|a| Frame::Bulk(Bytes::from(a.clone()))).collect());
        prop_assert_eq!(check_then_parse(&input), Ok(expected));
    }
}
