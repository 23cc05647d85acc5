//! CPU time and peak memory, from `getrusage`.

use std::time::Duration;

use nix::sys::resource::{UsageWho, getrusage};

/// User + system CPU time this process has used so far.
pub(crate) fn cpu_time() -> Duration {
    let usage = getrusage(UsageWho::RUSAGE_SELF).expect("getrusage(RUSAGE_SELF) cannot fail");
    let tv =
        |t: nix::sys::time::TimeVal| Duration::new(t.tv_sec() as u64, t.tv_usec() as u32 * 1000);
    tv(usage.user_time()) + tv(usage.system_time())
}

/// The peak resident set (KiB) of the largest child this process has waited for.
pub(crate) fn children_max_rss_kib() -> u64 {
    let usage =
        getrusage(UsageWho::RUSAGE_CHILDREN).expect("getrusage(RUSAGE_CHILDREN) cannot fail");
    // Linux reports ru_maxrss in KiB.
    usage.max_rss().max(0) as u64
}
