//! Peak memory of this process, for the measuring subcommands.

/// Peak resident memory of this process in KiB (Linux `VmHWM`), if the platform tells.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Resets the peak (writing 5 to clear_refs, Linux >= 4.0), so each case reports its own.
pub fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}
