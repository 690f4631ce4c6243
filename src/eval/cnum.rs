//! Number parsing with the exact behaviour of C's `strtoll`/`strtoull`, which
//! Kconfig uses for ranges and comparisons: leading blanks, optional sign,
//! optional `0x`, parsing stops at the first bad digit, clamping on overflow.

pub struct Parsed<T> {
    pub value: T,
    /// Bytes consumed (0 when no digits were found).
    pub consumed: usize,
    pub overflow: bool,
}

fn digit_value(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some((c - b'0') as u32),
        b'a'..=b'z' => Some((c - b'a') as u32 + 10),
        b'A'..=b'Z' => Some((c - b'A') as u32 + 10),
        _ => None,
    }
}

/// Magnitude parse shared by both: returns (negative, magnitude, consumed, overflow).
fn parse_magnitude(s: &str, base: u32) -> (bool, u64, usize, bool) {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
        i += 1;
    }
    let mut neg = false;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        neg = b[i] == b'-';
        i += 1;
    }
    let mut base = base;
    let has_hex_prefix = |i: usize| {
        i + 1 < b.len()
            && b[i] == b'0'
            && (b[i + 1] == b'x' || b[i + 1] == b'X')
            && b.get(i + 2)
                .and_then(|&c| digit_value(c))
                .is_some_and(|d| d < 16)
    };
    if (base == 16 || base == 0) && has_hex_prefix(i) {
        i += 2;
        base = 16;
    } else if base == 0 {
        base = if i < b.len() && b[i] == b'0' { 8 } else { 10 };
    }
    let digits_start = i;
    let mut value: u64 = 0;
    let mut overflow = false;
    while i < b.len() {
        let Some(d) = digit_value(b[i]).filter(|&d| d < base) else {
            break;
        };
        match value
            .checked_mul(base as u64)
            .and_then(|v| v.checked_add(d as u64))
        {
            Some(v) => value = v,
            None => overflow = true,
        }
        i += 1;
    }
    if i == digits_start {
        return (false, 0, 0, false);
    }
    (neg, value, i, overflow)
}

pub fn strtoll(s: &str, base: u32) -> Parsed<i64> {
    let (neg, mag, consumed, mut overflow) = parse_magnitude(s, base);
    let value = if neg {
        if mag > (i64::MAX as u64) + 1 {
            overflow = true;
        }
        if overflow {
            i64::MIN
        } else {
            (mag as i128).wrapping_neg() as i64
        }
    } else {
        if mag > i64::MAX as u64 {
            overflow = true;
        }
        if overflow {
            i64::MAX
        } else {
            mag as i64
        }
    };
    Parsed {
        value,
        consumed,
        overflow,
    }
}

pub fn strtoull(s: &str, base: u32) -> Parsed<u64> {
    let (neg, mag, consumed, overflow) = parse_magnitude(s, base);
    let value = if overflow {
        u64::MAX
    } else if neg {
        mag.wrapping_neg()
    } else {
        mag
    };
    Parsed {
        value,
        consumed,
        overflow,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_like_c() {
        assert_eq!(strtoll("  -42x", 10).value, -42);
        assert_eq!(strtoll("  -42x", 10).consumed, 5);
        assert_eq!(strtoll("0x1f", 16).value, 31);
        assert_eq!(strtoll("1f", 16).value, 31);
        assert_eq!(strtoll("0x", 16).value, 0);
        assert_eq!(strtoll("0x", 16).consumed, 1);
        assert_eq!(strtoll("010", 0).value, 8);
        assert_eq!(strtoll("0x10", 0).value, 16);
        assert_eq!(strtoll("abc", 10).consumed, 0);
        assert!(strtoll("99999999999999999999", 10).overflow);
        assert_eq!(strtoll("99999999999999999999", 10).value, i64::MAX);
        assert_eq!(strtoull("-1", 16).value, u64::MAX);
        assert_eq!(strtoll("-9223372036854775808", 10).value, i64::MIN);
    }
}
