//! The lower bounds of `bench-boundary`, from GitHub's limits alone: an
//! ideal writer that sends each write the moment the limits allow (no
//! round trip; with `GITHUB` no pause between writes, with `GITHUB_PACED`
//! the second GitHub asks for between writes), people's commands first
//! with the whole of both windows, openings after them with all but the
//! share kept for commands, one second at a time.

/// GitHub's limits and the commands' share, per rolling minute and hour.
pub struct Limits {
    pub per_minute: usize,
    pub per_hour: usize,
    pub command_share_hour: usize,
    pub command_share_minute: usize,
    /// Writes a second: GitHub asks for a second between writes.
    pub per_second: usize,
}

pub const GITHUB: Limits = Limits {
    per_minute: 80,
    per_hour: 500,
    command_share_hour: 80,
    command_share_minute: 13,
    per_second: usize::MAX,
};

/// GitHub's limits with its one-second pause between writes.
pub const GITHUB_PACED: Limits = Limits {
    per_second: 1,
    ..GITHUB
};

/// What the ideal writer achieves, in seconds from the opening instant.
#[derive(Debug, Clone)]
pub struct Ideal {
    /// When each sprint's issue is created (its first write).
    pub opened_s: Vec<u64>,
    /// Each command's answer latency.
    pub latency_s: Vec<u64>,
}

/// `n` openings of `per_opening` writes due at 0, and commands of
/// `per_command` writes arriving at `arrivals_ms`.
pub fn simulate(
    l: &Limits,
    n: usize,
    per_opening: usize,
    arrivals_ms: &[u64],
    per_command: usize,
) -> Ideal {
    let mut log: std::collections::VecDeque<u64> = Default::default();
    let mut minute: std::collections::VecDeque<u64> = Default::default();
    let mut opening_writes = 0;
    let mut opened_s = Vec::new();
    let mut command_writes = vec![0; arrivals_ms.len()];
    let mut latency_s = vec![u64::MAX; arrivals_ms.len()];
    let total = n * per_opening;
    let mut t = 0u64;
    while opening_writes < total || latency_s.contains(&u64::MAX) {
        while log.front().is_some_and(|w| *w + 3600 <= t) {
            log.pop_front();
        }
        while minute.front().is_some_and(|w| *w + 60 <= t) {
            minute.pop_front();
        }
        let mut this_second = 0;
        for (i, arrived) in arrivals_ms.iter().enumerate() {
            while *arrived / 1000 <= t
                && command_writes[i] < per_command
                && this_second < l.per_second
                && minute.len() < l.per_minute
                && log.len() < l.per_hour
            {
                command_writes[i] += 1;
                this_second += 1;
                minute.push_back(t);
                log.push_back(t);
                if command_writes[i] == per_command {
                    latency_s[i] = t - (*arrived / 1000);
                }
            }
        }
        while opening_writes < total
            && this_second < l.per_second
            && minute.len() < l.per_minute - l.command_share_minute
            && log.len() < l.per_hour - l.command_share_hour
        {
            if opening_writes % per_opening == 0 {
                opened_s.push(t);
            }
            opening_writes += 1;
            this_second += 1;
            minute.push_back(t);
            log.push_back(t);
        }
        t += 1;
    }
    Ideal {
        opened_s,
        latency_s,
    }
}

/// The `p`th percentile (0–100) of `values`, nearest rank.
pub fn percentile(values: &[u64], p: usize) -> u64 {
    let mut v = values.to_vec();
    v.sort_unstable();
    if v.is_empty() {
        return 0;
    }
    let rank = (p * v.len()).div_ceil(100).clamp(1, v.len());
    v[rank - 1]
}
