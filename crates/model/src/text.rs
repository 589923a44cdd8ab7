//! Short texts written without the formatting machinery. A pod's start writes a dozen of them
//! (event messages, its name, its address, its container's ID, timestamps) and `format!` spent
//! about a thousand instructions on each, a twentieth of the whole envelope benchmark
//! (docs/benchmarks.md). Each function writes exactly what the `format!` it stands for writes;
//! the tests below compare the two.

/// The pieces joined, in one allocation of the exact size: `format!("{a}{b}{c}")` for strings.
pub(crate) fn cat(pieces: &[&str]) -> String {
    let mut out = String::with_capacity(pieces.iter().map(|p| p.len()).sum());
    for p in pieces {
        out.push_str(p);
    }
    out
}

/// Appends `v` in decimal: `write!(out, "{v}")`.
pub(crate) fn push_dec(out: &mut String, v: u64) {
    push_dec_padded(out, v, 1);
}

/// Appends `v` in decimal, a minus sign first if it is negative: `write!(out, "{v}")`.
pub(crate) fn push_signed(out: &mut String, v: i64) {
    if v < 0 {
        out.push('-');
    }
    push_dec(out, v.unsigned_abs());
}

/// `ip:port`: `format!("{ip}:{port}")`.
pub(crate) fn ip_port(ip: &str, port: i32) -> String {
    let mut out = String::with_capacity(ip.len() + 6);
    out.push_str(ip);
    out.push(':');
    push_signed(&mut out, i64::from(port));
    out
}

/// Appends `v` in decimal with at least `width` digits, zeros in front:
/// `write!(out, "{v:0width$}")` for a `width` up to 20.
pub(crate) fn push_dec_padded(out: &mut String, v: u64, width: usize) {
    let (digits, at) = crate::fingerprint::decimal_digits(v);
    let from = at.min(digits.len() - width.min(digits.len()));
    // ASCII digits: always UTF-8.
    out.push_str(std::str::from_utf8(&digits[from..]).unwrap_or_default());
}

/// Appends the `digits` lowest hexadecimal digits of `v`, lower case:
/// `write!(out, "{:0digits$x}", v & mask)` for `digits` from 1 to 16.
pub(crate) fn push_hex(out: &mut String, v: u64, digits: u32) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut text = [0u8; 16];
    let n = digits.min(16) as usize;
    for (i, t) in text[..n].iter_mut().enumerate() {
        *t = HEX[((v >> (4 * (n - 1 - i))) & 0xf) as usize];
    }
    // ASCII: always UTF-8. (One append, not one a digit: a container's ID has 64.)
    out.push_str(std::str::from_utf8(&text[..n]).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write as _;

    const NUMBERS: [u64; 12] = [0, 1, 9, 10, 99, 100, 255, 1_000, 4_096, 65_535, 1 << 40, u64::MAX];

    #[test]
    fn cat_joins_as_format_does() {
        assert_eq!(cat(&[]), "");
        assert_eq!(cat(&["Pulling image \"", "nginx:1.27", "\""]), format!("Pulling image \"{}\"", "nginx:1.27"));
        assert_eq!(cat(&["a", "", "é", "b"]), "aéb");
    }

    #[test]
    fn decimals_as_format_writes_them() {
        for v in NUMBERS {
            let mut s = String::from("x");
            push_dec(&mut s, v);
            assert_eq!(s, format!("x{v}"));
            for width in [0, 1, 2, 3, 4, 20] {
                let mut s = String::new();
                push_dec_padded(&mut s, v, width);
                assert_eq!(s, format!("{v:0width$}"));
            }
        }
    }

    #[test]
    fn signed_decimals_as_format_writes_them() {
        for v in [0, 1, -1, 80, -80, 65_535, i64::from(i32::MIN), i64::MIN, i64::MAX] {
            let mut s = String::new();
            push_signed(&mut s, v);
            assert_eq!(s, format!("{v}"));
        }
    }

    #[test]
    fn an_address_and_port_as_format_writes_them() {
        for (ip, port) in [("10.244.1.7", 80), ("", 0), ("::1", 65_535), ("10.0.0.1", -1)] {
            assert_eq!(ip_port(ip, port), format!("{ip}:{port}"));
        }
    }

    #[test]
    fn hex_as_format_writes_it() {
        for v in NUMBERS {
            let mut s = String::new();
            push_hex(&mut s, v, 16);
            assert_eq!(s, format!("{v:016x}"));
            let mut s = String::new();
            push_hex(&mut s, v, 3);
            let mut want = String::new();
            let _ = write!(want, "{:03x}", v & 0xfff);
            assert_eq!(s, want);
        }
    }
}
