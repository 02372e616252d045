//! Release numbering: every `parts` sprints make one release, and each new
//! release bumps one component of the version (`1.41.0 1/2`, `1.41.0 2/2`,
//! `1.42.0 1/2`, ...).

use std::fmt;
use std::str::FromStr;

/// A `major.minor.patch` version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

impl FromStr for Version {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = s.trim().split('.').collect();
        let nums: Option<Vec<u64>> = parts.iter().map(|p| p.parse().ok()).collect();
        match nums.as_deref() {
            Some([major, minor, patch]) => Ok(Version {
                major: *major,
                minor: *minor,
                patch: *patch,
            }),
            _ => Err(format!("`{s}` is not a version like 1.41.0")),
        }
    }
}

/// Which component a new release increases (lower ones reset to 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Bump {
    Major,
    Minor,
    Patch,
}

/// How sprints are numbered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Numbering {
    /// The version of the anchor sprint (index 0, part 1).
    pub first_version: Version,
    /// Sprints per release (the `2` of `1/2`).
    pub parts: u32,
    pub bump: Bump,
}

/// A sprint's name in the numbering: `1.42.0 2/2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SprintLabel {
    pub version: Version,
    pub part: u32,
    pub parts: u32,
}

impl fmt::Display for SprintLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}/{}", self.version, self.part, self.parts)
    }
}

/// The sprint is so far before the anchor that its version would be negative.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "sprint {index} comes before version 0 of the numbering that starts at {first}; move the cadence anchor or first_version back"
)]
pub struct BeforeFirstVersion {
    pub index: i64,
    pub first: Version,
}

impl Numbering {
    /// The label of the sprint with a calendar index (0 = anchor).
    pub fn label(&self, index: i64) -> Result<SprintLabel, BeforeFirstVersion> {
        let parts = i64::from(self.parts.max(1));
        let release = index.div_euclid(parts);
        let part = index.rem_euclid(parts) as u32 + 1;
        let err = BeforeFirstVersion {
            index,
            first: self.first_version,
        };
        let bumped = |base: u64| -> Result<u64, BeforeFirstVersion> {
            let v = i128::from(base) + i128::from(release);
            u64::try_from(v).map_err(|_| err.clone())
        };
        let f = self.first_version;
        let version = match self.bump {
            Bump::Major => Version {
                major: bumped(f.major)?,
                minor: if release == 0 { f.minor } else { 0 },
                patch: if release == 0 { f.patch } else { 0 },
            },
            Bump::Minor => Version {
                major: f.major,
                minor: bumped(f.minor)?,
                patch: if release == 0 { f.patch } else { 0 },
            },
            Bump::Patch => Version {
                major: f.major,
                minor: f.minor,
                patch: bumped(f.patch)?,
            },
        };
        Ok(SprintLabel {
            version,
            part,
            parts: self.parts.max(1),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbering(first: &str, parts: u32, bump: Bump) -> Numbering {
        Numbering {
            first_version: first.parse().unwrap(),
            parts,
            bump,
        }
    }

    #[test]
    fn two_sprints_per_minor_release() {
        let n = numbering("1.41.0", 2, Bump::Minor);
        let labels: Vec<String> = (0..5).map(|i| n.label(i).unwrap().to_string()).collect();
        assert_eq!(
            labels,
            [
                "1.41.0 1/2",
                "1.41.0 2/2",
                "1.42.0 1/2",
                "1.42.0 2/2",
                "1.43.0 1/2"
            ]
        );
    }

    #[test]
    fn before_the_anchor_counts_backwards_until_zero() {
        let n = numbering("1.1.0", 2, Bump::Minor);
        assert_eq!(n.label(-1).unwrap().to_string(), "1.0.0 2/2");
        assert_eq!(n.label(-2).unwrap().to_string(), "1.0.0 1/2");
        let err = n.label(-3).unwrap_err();
        assert!(err.to_string().contains("anchor"), "{err}");
    }

    #[test]
    fn major_and_patch_bumps_reset_lower_components() {
        assert_eq!(
            numbering("2.3.4", 1, Bump::Major)
                .label(1)
                .unwrap()
                .to_string(),
            "3.0.0 1/1"
        );
        assert_eq!(
            numbering("2.3.4", 1, Bump::Major)
                .label(0)
                .unwrap()
                .to_string(),
            "2.3.4 1/1"
        );
        assert_eq!(
            numbering("2.3.4", 3, Bump::Patch)
                .label(4)
                .unwrap()
                .to_string(),
            "2.3.5 2/3"
        );
    }

    #[test]
    fn versions_parse_strictly() {
        assert!("1.2".parse::<Version>().is_err());
        assert!("1.2.x".parse::<Version>().is_err());
        assert_eq!("1.42.0".parse::<Version>().unwrap().to_string(), "1.42.0");
    }
}
