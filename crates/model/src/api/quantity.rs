//! Resource quantities (`500m`, `128Mi`, `1e3`) as apimachinery parses them (K8S-FACTS §10.1).
//! Values are kept exactly, in nano-units, with integers only.

/// Why a quantity string was refused, in apimachinery's words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QuantityError {
    Format,
    Suffix,
}

impl QuantityError {
    pub fn message(&self) -> &'static str {
        match self {
            QuantityError::Format => {
                "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
            }
            QuantityError::Suffix => "unable to parse quantity's suffix",
        }
    }
}

/// 2^63 - 1 base units, apimachinery's cap, in nano-units.
const MAX_NANOS: i128 = (i64::MAX as i128) * 1_000_000_000;

/// Parses a quantity into nano-units (1 = 1e-9 of the base unit), rounding up as upstream does
/// for precision finer than it keeps, and capping the magnitude at 2^63-1 base units.
pub fn parse_nanos(s: &str) -> Result<i128, QuantityError> {
    if s.is_empty() || s.trim() != s {
        return Err(QuantityError::Format);
    }
    let b = s.as_bytes();
    let mut i = 0;
    let negative = match b[0] {
        b'-' => {
            i = 1;
            true
        }
        b'+' => {
            i = 1;
            false
        }
        _ => false,
    };
    let num_start = i;
    let mut seen_dot = false;
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
        if b[i] == b'.' {
            if seen_dot {
                return Err(QuantityError::Format);
            }
            seen_dot = true;
        }
        i += 1;
    }
    let number = &s[num_start..i];
    if number.is_empty() || number == "." {
        return Err(QuantityError::Format);
    }
    let suffix = &s[i..];
    if !suffix.bytes().all(|c| b"eEinumkKMGTP-+0123456789".contains(&c)) {
        return Err(QuantityError::Format);
    }
    let (int_part, frac_part) = number.split_once('.').unwrap_or((number, ""));
    // The digits without the point (no copy: this runs for every request of every pod). Leading
    // zeros add nothing to the mantissa below.
    let digits = || int_part.bytes().chain(frac_part.bytes()).skip_while(|c| *c == b'0');
    // Exponent of ten and binary shift the suffix applies.
    let (exp10, shift2): (i32, u32) = match (unit(suffix.as_bytes()), suffix) {
        (Some(unit), _) => unit,
        (None, s) if s.starts_with(['e', 'E']) => {
            let e = &s[1..];
            let valid = !e.is_empty()
                && e.trim_start_matches(['+', '-']).bytes().all(|c| c.is_ascii_digit())
                && e.trim_start_matches(['+', '-']).len() == e.len() - usize::from(e.starts_with(['+', '-']));
            if !valid || e.trim_start_matches(['+', '-']).is_empty() {
                return Err(QuantityError::Suffix);
            }
            let n: i32 = e.parse().map_err(|_| QuantityError::Suffix)?;
            (n.clamp(-100, 100), 0)
        }
        (None, _) => return Err(QuantityError::Suffix),
    };
    if digits().next().is_none() {
        return Ok(0);
    }
    // value = digits * 10^(exp10 - frac_len) * 2^shift2, in nanos: * 10^9.
    let mut pow10 = exp10 - frac_part.len() as i32 + 9;
    let mut mantissa: i128 = 0;
    for c in digits() {
        if mantissa > MAX_NANOS {
            // Only the magnitude matters past the cap; drop further digits, keep the scale.
            pow10 += 1;
            continue;
        }
        mantissa = mantissa * 10 + i128::from(c - b'0');
    }
    let mut v = mantissa;
    while pow10 > 0 {
        if v > MAX_NANOS {
            break;
        }
        v *= 10;
        pow10 -= 1;
    }
    if pow10 < 0 {
        // Round up what cannot be kept (e.g. 3.001n -> 4n).
        let mut rem = false;
        while pow10 < 0 {
            if v % 10 != 0 {
                rem = true;
            }
            v /= 10;
            pow10 += 1;
        }
        if rem {
            v += 1;
        }
    }
    if shift2 > 0 {
        v = v.saturating_mul(1i128 << shift2);
    }
    let v = v.min(MAX_NANOS);
    Ok(if negative { -v } else { v })
}

/// `MilliValue()`: CPU in millicores, rounded up.
pub fn milli_value(s: &str) -> Result<i64, QuantityError> {
    match plain(s, 3) {
        Some(v) => Ok(v),
        None => parse_nanos(s).map(|n| ceil_div(n, 1_000_000)),
    }
}

/// `Value()`: base units (bytes for memory), rounded up.
pub fn value(s: &str) -> Result<i64, QuantityError> {
    match plain(s, 0) {
        Some(v) => Ok(v),
        None => parse_nanos(s).map(|n| ceil_div(n, 1_000_000_000)),
    }
}

/// The common form of a quantity, in 10^-`scale` of its base unit and rounded up as
/// [`parse_nanos`] and [`ceil_div`] would: at most 15 digits, no sign, point or exponent, a
/// suffix of the table, and a result that fits an `i64` (so [`parse_nanos`]' cap cannot apply).
/// None for anything else, which takes the exact path. A pod's requests are parsed each time it
/// is scheduled and bound; [`parse_nanos`] works in 128 bits, which wasm has no instructions
/// for, and `plain` in 64.
fn plain(s: &str, scale: u32) -> Option<i64> {
    let b = s.as_bytes();
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 || digits > 15 {
        return None;
    }
    let mantissa = b[..digits].iter().fold(0i64, |m, c| m * 10 + i64::from(c - b'0'));
    let (exp10, shift2) = unit(&b[digits..])?;
    let exp = exp10 + scale as i32;
    let scaled = if exp >= 0 {
        mantissa.checked_mul(10i64.checked_pow(exp.unsigned_abs())?)?
    } else {
        // (A binary suffix has no power of ten: this is a decimal one, rounded up.)
        let d = 10i64.pow(exp.unsigned_abs());
        mantissa / d + i64::from(mantissa % d != 0)
    };
    scaled.checked_mul(1i64.checked_shl(shift2).filter(|m| *m > 0)?)
}

/// The exponent of ten and the binary shift of a unit suffix (`m`: 10^-3, `Mi`: 2^20; none:
/// both 0). None for any other suffix, an exponent (`e3`) included. (`E` is exa, not an
/// exponent.)
fn unit(suffix: &[u8]) -> Option<(i32, u32)> {
    Some(match suffix {
        b"" => (0, 0),
        b"n" => (-9, 0),
        b"u" => (-6, 0),
        b"m" => (-3, 0),
        b"k" => (3, 0),
        b"M" => (6, 0),
        b"G" => (9, 0),
        b"T" => (12, 0),
        b"P" => (15, 0),
        b"E" => (18, 0),
        b"Ki" => (0, 10),
        b"Mi" => (0, 20),
        b"Gi" => (0, 30),
        b"Ti" => (0, 40),
        b"Pi" => (0, 50),
        b"Ei" => (0, 60),
        _ => return None,
    })
}

fn ceil_div(n: i128, d: i128) -> i64 {
    let q = n.div_euclid(d) + i128::from(n.rem_euclid(d) != 0);
    q.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

/// Millicores as kubectl prints them (`500m`, `2`, `1500m`).
pub fn format_milli(m: i64) -> String {
    if m % 1000 == 0 { format!("{}", m / 1000) } else { format!("{m}m") }
}

/// Bytes in the largest binary unit that keeps them whole (`128Mi`, `8Gi`).
pub fn format_bytes(b: i64) -> String {
    for (shift, unit) in [(60, "Ei"), (50, "Pi"), (40, "Ti"), (30, "Gi"), (20, "Mi"), (10, "Ki")] {
        let u = 1i64 << shift;
        if b != 0 && b % u == 0 {
            return format!("{}{unit}", b / u);
        }
    }
    b.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// K8S-FACTS §10.1: apimachinery quantity_test.go TestQuantityParse (value column).
    #[test]
    fn parse_table() {
        let n = |s: &str| parse_nanos(s).unwrap();
        let gi = 1i128 << 30;
        let cases: &[(&str, i128)] = &[
            ("0", 0),
            ("0Mi", 0),
            ("1", 1_000_000_000),
            ("1Ki", 1024 * 1_000_000_000),
            ("7Mi", 7 * (1 << 20) * 1_000_000_000),
            ("6Gi", 6 * gi * 1_000_000_000),
            ("5n", 5),
            ("4u", 4_000),
            ("3m", 3_000_000),
            ("8k", 8_000 * 1_000_000_000),
            ("1E-3", 1_000_000),
            ("1e3", 1_000 * 1_000_000_000),
            ("100.035k", 100_035 * 1_000_000_000),
            ("0.5", 500_000_000),
            ("0.5e-1", 50_000_000),
            ("1.2e3", 1_200 * 1_000_000_000),
            ("3.001n", 4),
            ("0.0000000005", 1),
            ("0.00000012345", 124),
            ("0.5Mi", 524_288 * 1_000_000_000),
            (".001", 1_000_000),
            ("1.", 1_000_000_000),
            ("1.G", 1_000_000_000 * 1_000_000_000),
        ];
        for (s, want) in cases {
            assert_eq!(n(s), *want, "{s}");
        }
        assert_eq!(n("9Ei"), MAX_NANOS, "9Ei is capped at 2^63-1");
    }

    /// K8S-FACTS §10.1 invalid inputs, plus the course's typo `500mi`.
    #[test]
    fn invalid_table() {
        for s in
            ["1.1.M", "1+1.0M", "0.1mi", "0.1am", "aoeu", ".5i", "1i", "-3.01i", "-3.01e-", " 1", "1 ", "", "500mi"]
        {
            assert!(parse_nanos(s).is_err(), "{s:?} must be refused");
        }
        assert_eq!(parse_nanos("500mi"), Err(QuantityError::Suffix));
    }

    /// The 64-bit path gives what the exact one does wherever it answers, and answers for the
    /// forms pods use.
    #[test]
    fn the_plain_form_is_read_as_the_exact_path_reads_it() {
        let exact = |s: &str, scale: u32| parse_nanos(s).ok().map(|n| ceil_div(n, 10i128.pow(9 - scale)));
        let suffixes =
            ["", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "mi", "e3", "K"];
        let mut numbers: Vec<String> = Vec::new();
        for digits in 1..=17u32 {
            for lead in ["1", "9", "4", "0"] {
                let rest = "0123456789".repeat(2);
                numbers.push(format!("{lead}{}", &rest[..digits as usize - 1]));
                numbers.push(format!("{lead}{}", "9".repeat(digits as usize - 1)));
                numbers.push(format!("{lead}{}", "0".repeat(digits as usize - 1)));
            }
        }
        numbers.extend(["1.5", "+1", "-1", " 1", "0.5"].map(String::from));
        let mut answered = 0;
        for n in &numbers {
            for suffix in suffixes {
                let s = format!("{n}{suffix}");
                for scale in [0, 3] {
                    if let Some(v) = plain(&s, scale) {
                        answered += 1;
                        assert_eq!(Some(v), exact(&s, scale), "{s} at 10^-{scale}");
                    }
                }
                assert_eq!(milli_value(&s).ok(), exact(&s, 3), "{s}");
                assert_eq!(value(&s).ok(), exact(&s, 0), "{s}");
            }
        }
        assert!(answered > 1_500, "the plain path answered {answered} times");
        for s in ["100m", "250m", "1", "2", "128Mi", "64Mi", "1Gi", "500M", "0"] {
            assert!(plain(s, 0).is_some() && plain(s, 3).is_some(), "{s} takes the plain path");
        }
        for s in ["0.5", "1e3", "+1", "-1", "1234567890123456", "9Ei"] {
            assert!(plain(s, 3).is_none(), "{s} takes the exact path");
        }
    }

    #[test]
    fn milli_and_bytes() {
        assert_eq!(milli_value("500m"), Ok(500));
        assert_eq!(milli_value("0.5"), Ok(500));
        assert_eq!(milli_value("1"), Ok(1000));
        assert_eq!(value("128Mi"), Ok(134_217_728));
        assert_eq!(value("1Gi"), Ok(1_073_741_824));
        assert_eq!(value("1G"), Ok(1_000_000_000));
        assert_eq!(format_milli(1500), "1500m");
        assert_eq!(format_milli(2000), "2");
        assert_eq!(format_bytes(8 << 30), "8Gi");
    }
}
