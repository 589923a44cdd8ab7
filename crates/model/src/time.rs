//! Virtual time. `SimTime` is the only clock in the model: milliseconds since the cluster started,
//! moved only by `Cluster::step`/`advance`.

use std::fmt;

use crate::text::{push_dec, push_dec_padded};

/// A moment of virtual time, in milliseconds since the cluster started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(pub u64);

impl SimTime {
    pub const ZERO: SimTime = SimTime(0);

    pub fn ms(self) -> u64 {
        self.0
    }

    pub fn plus_ms(self, ms: u64) -> SimTime {
        SimTime(self.0.saturating_add(ms))
    }

    pub fn since(self, earlier: SimTime) -> u64 {
        self.0.saturating_sub(earlier.0)
    }

    /// RFC 3339 timestamp as the API prints it (second precision). The virtual epoch is
    /// 2025-01-01T00:00:00Z so timestamps look like a real cluster's.
    pub fn rfc3339(self) -> String {
        let secs = self.0 / 1000;
        let days = secs / 86_400;
        let rem = secs % 86_400;
        let (y, m, d) = civil_from_days(EPOCH_DAYS + days as i64);
        // `format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}Z")` (the year is 2025 or later).
        let mut out = String::with_capacity(20);
        for (v, width, then) in [
            (u64::try_from(y).unwrap_or(0), 4, '-'),
            (u64::from(m), 2, '-'),
            (u64::from(d), 2, 'T'),
            (rem / 3600, 2, ':'),
            (rem % 3600 / 60, 2, ':'),
            (rem % 60, 2, 'Z'),
        ] {
            push_dec_padded(&mut out, v, width);
            out.push(then);
        }
        out
    }

    /// The virtual clock as the page shows it: `HH:MM:SS.mmm` (hours keep counting past 24).
    pub fn clock(self) -> String {
        let ms = self.0 % 1000;
        let s = self.0 / 1000;
        format!("{:02}:{:02}:{:02}.{ms:03}", s / 3600, s % 3600 / 60, s % 60)
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.clock())
    }
}

/// Days from 1970-01-01 to the virtual epoch 2025-01-01.
const EPOCH_DAYS: i64 = 20_089;

/// Howard Hinnant's civil-from-days algorithm (proleptic Gregorian), integer only.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Parses a duration as kubectl and the command language write it: `500ms`, `30s`, `5m`, `1h`,
/// `1m30s`, or a bare number of seconds. Returns milliseconds.
pub fn parse_duration_ms(s: &str) -> Result<u64, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("empty duration".into());
    }
    if let Ok(n) = s.parse::<u64>() {
        return n.checked_mul(1000).ok_or_else(|| format!("duration {s:?} is too large"));
    }
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut total: u64 = 0;
    while i < bytes.len() {
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if start == i {
            return Err(format!("invalid duration {s:?}"));
        }
        let n: u64 = s[start..i].parse().map_err(|_| format!("invalid duration {s:?}"))?;
        let ustart = i;
        while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
            i += 1;
        }
        let unit_ms = match &s[ustart..i] {
            "ms" => 1,
            "s" => 1000,
            "m" => 60_000,
            "h" => 3_600_000,
            "" => return Err(format!("missing unit in duration {s:?}")),
            u => return Err(format!("unknown unit {u:?} in duration {s:?}")),
        };
        total = n
            .checked_mul(unit_ms)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(|| format!("duration {s:?} is too large"))?;
    }
    Ok(total)
}

/// Go's `time.Duration.String()` for whole milliseconds: `10s`, `1m20s`, `5m0s`, `1.5s`, `0s`.
pub fn go_duration(ms: u64) -> String {
    if ms == 0 {
        return "0s".into();
    }
    let mut out = String::with_capacity(16);
    if ms < 1000 {
        push_dec(&mut out, ms);
        out.push_str("ms");
        return out;
    }
    let h = ms / 3_600_000;
    let m = ms % 3_600_000 / 60_000;
    if h > 0 {
        push_dec(&mut out, h);
        out.push('h');
    }
    if h > 0 || m > 0 {
        push_dec(&mut out, m);
        out.push('m');
    }
    push_dec(&mut out, ms % 60_000 / 1000);
    let frac = ms % 1000;
    if frac != 0 {
        // Milliseconds as a decimal fraction without its trailing zeros (1.5s, 1.286s).
        out.push('.');
        let mut f = String::with_capacity(3);
        push_dec_padded(&mut f, frac, 3);
        out.push_str(f.trim_end_matches('0'));
    }
    out.push('s');
    out
}

/// apimachinery `HumanDuration` (K8S-FACTS Appendix A): the AGE column and "(2m ago)".
pub fn human_duration(ms: i128) -> String {
    let second: i128 = 1000;
    if ms < -second {
        return "<invalid>".into();
    }
    if ms < 0 {
        return "0s".into();
    }
    let seconds = ms / second;
    let minute = 60;
    let hour = 60 * minute;
    let day = 24 * hour;
    let year = 365 * day;
    if seconds < 2 * minute {
        return format!("{seconds}s");
    }
    let minutes = seconds / minute;
    if minutes < 10 {
        let s = seconds % minute;
        return if s == 0 { format!("{minutes}m") } else { format!("{minutes}m{s}s") };
    }
    if minutes < 3 * 60 {
        return format!("{minutes}m");
    }
    let hours = seconds / hour;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 { format!("{hours}h") } else { format!("{hours}h{m}m") };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 8 * 24 {
        let h = hours % 24;
        let d = hours / 24;
        return if h == 0 { format!("{d}d") } else { format!("{d}d{h}h") };
    }
    if hours < 2 * 365 * 24 {
        return format!("{}d", seconds / day);
    }
    if hours < 8 * 365 * 24 {
        let d = (seconds / day) % 365;
        let y = seconds / year;
        return if d == 0 { format!("{y}y") } else { format!("{y}y{d}d") };
    }
    format!("{}y", seconds / year)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// K8S-FACTS Appendix A: apimachinery duration_test.go TestHumanDuration(Boundaries).
    #[test]
    fn human_duration_matches_upstream_table() {
        let s = 1000i128;
        let m = 60 * s;
        let h = 60 * m;
        let d = 24 * h;
        let y = 365 * d;
        let cases: &[(i128, &str)] = &[
            (s, "1s"),
            (70 * s, "70s"),
            (190 * s, "3m10s"),
            (70 * m, "70m"),
            (47 * h, "47h"),
            (49 * h, "2d1h"),
            (8 * d + 2 * h, "8d"),
            (367 * d, "367d"),
            (2 * y + 25 * h, "2y1d"),
            (8 * y + 2 * h, "8y"),
            (-2 * s, "<invalid>"),
            (0, "0s"),
            (999, "0s"),
            (2 * m - 1, "119s"),
            (2 * m, "2m"),
            (2 * m + s, "2m1s"),
            (10 * m - 1, "9m59s"),
            (10 * m, "10m"),
            (10 * m + s, "10m"),
            (3 * h - 1, "179m"),
            (3 * h, "3h"),
            (3 * h + m, "3h1m"),
            (8 * h - 1, "7h59m"),
            (8 * h, "8h"),
            (8 * h + 59 * m, "8h"),
            (48 * h - 1, "47h"),
            (48 * h, "2d"),
            (8 * d - 1, "7d23h"),
            (8 * d, "8d"),
            (8 * d + 23 * h, "8d"),
            (730 * d - 1, "729d"),
            (730 * d, "2y"),
            (731 * d, "2y1d"),
            (8 * y - 1, "7y364d"),
            (8 * y, "8y"),
        ];
        for (ms, want) in cases {
            assert_eq!(human_duration(*ms), *want, "HumanDuration({ms} ms)");
        }
    }

    /// K8S-FACTS §3.1: back-off durations print as Go's time.Duration does.
    #[test]
    fn go_duration_strings() {
        for (ms, want) in [
            (10_000, "10s"),
            (80_000, "1m20s"),
            (160_000, "2m40s"),
            (300_000, "5m0s"),
            (1_286, "1.286s"),
            (0, "0s"),
            (7, "7ms"),
            (999, "999ms"),
            (1_500, "1.5s"),
            (3_600_000, "1h0m0s"),
            (3_661_010, "1h1m1.01s"),
            (90_000_000, "25h0m0s"),
        ] {
            assert_eq!(go_duration(ms), want);
        }
    }

    #[test]
    fn parses_durations() {
        assert_eq!(parse_duration_ms("500ms"), Ok(500));
        assert_eq!(parse_duration_ms("30s"), Ok(30_000));
        assert_eq!(parse_duration_ms("5m"), Ok(300_000));
        assert_eq!(parse_duration_ms("1h"), Ok(3_600_000));
        assert_eq!(parse_duration_ms("1m30s"), Ok(90_000));
        assert_eq!(parse_duration_ms("7"), Ok(7_000));
        assert!(parse_duration_ms("5x").is_err());
        assert!(parse_duration_ms("").is_err());
        assert!(parse_duration_ms("99999999999999999999h").is_err());
    }

    #[test]
    fn timestamps() {
        assert_eq!(SimTime(0).rfc3339(), "2025-01-01T00:00:00Z");
        assert_eq!(SimTime(90_061_000).rfc3339(), "2025-01-02T01:01:01Z");
        assert_eq!(SimTime(90_061_500).clock(), "25:01:01.500");
        // As `format!` wrote it before, over a century of virtual time.
        for ms in (0..3_200_000_000_000u64).step_by(7_777_777_777).chain([86_399_999, 31_535_999_999]) {
            let secs = ms / 1000;
            let (y, m, d) = civil_from_days(EPOCH_DAYS + (secs / 86_400) as i64);
            let rem = secs % 86_400;
            let want = format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60);
            assert_eq!(SimTime(ms).rfc3339(), want);
        }
    }
}
