//! Exponent notation (`1e2`, `1.5E+1`, `125e-2`) turned into plain decimal text by moving the
//! point, so the value is parsed exactly (`Decimal::from_str_exact`) or refused, never rounded
//! the way `Decimal::from_scientific` rounds a long mantissa.

/// Largest exponent magnitude read; beyond it no amount can be in range with 2 places.
const MAX_EXPONENT: i64 = 64;

/// `text` (`[+-]digits[.digits](e|E)[+-]digits`) as plain decimal text, leading and trailing
/// zeros trimmed; `None` when it is not that shape or its exponent is out of bounds.
pub(crate) fn to_plain(text: &str) -> Option<String> {
    let (mantissa, exponent) = text.split_once(['e', 'E'])?;
    let exponent: i64 = exponent.parse().ok()?;
    if exponent.abs() > MAX_EXPONENT {
        return None;
    }
    let (sign, unsigned) = match mantissa.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", mantissa.strip_prefix('+').unwrap_or(mantissa)),
    };
    let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = format!("{int}{frac}");
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let point = i64::try_from(int.len()).ok()? + exponent;
    let width = i64::try_from(digits.len()).ok()?;
    let (whole, fraction) = if point <= 0 {
        let zeros = "0".repeat(usize::try_from(-point).ok()?);
        ("0".to_owned(), format!("{zeros}{digits}"))
    } else if point >= width {
        let zeros = "0".repeat(usize::try_from(point - width).ok()?);
        (format!("{digits}{zeros}"), String::new())
    } else {
        let (w, f) = digits.split_at(usize::try_from(point).ok()?);
        (w.to_owned(), f.to_owned())
    };
    let whole = whole.trim_start_matches('0');
    let fraction = fraction.trim_end_matches('0');
    let whole = if whole.is_empty() { "0" } else { whole };
    Some(if fraction.is_empty() {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{fraction}")
    })
}

#[cfg(test)]
mod tests {
    use super::to_plain;

    #[test]
    fn the_point_moves_by_the_exponent() {
        for (text, plain) in [
            ("1e2", "100"),
            ("1.5E+1", "15"),
            ("125e-2", "1.25"),
            ("-2.5e0", "-2.5"),
            ("1e-3", "0.001"),
            ("0.0010e3", "1"),
            ("1.50000000000000000000000000000000e2", "150"),
        ] {
            assert_eq!(to_plain(text).as_deref(), Some(plain), "{text}");
        }
    }

    #[test]
    fn malformed_or_huge_exponents_are_none() {
        for text in [
            "e2", "1e", "1e+", "1.e2x", "1e65", "1e-65", "1..2e1", "1e2.5",
        ] {
            assert_eq!(to_plain(text), None, "{text}");
        }
    }
}
