//! The shape of a repository's `.github/sprintbot.toml` as serde reads it,
//! before `validate` says what its values mean: every table with its
//! defaults (the deployment config's `[defaults]` are merged in first).

use serde::Deserialize;

use crate::sprint::numbering::Bump;

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub(super) struct Raw {
    pub(super) teams: Vec<RawTeam>,
    pub(super) engineers: RawEngineers,
    pub(super) cadence: RawCadence,
    pub(super) numbering: RawNumbering,
    pub(super) rotation: RawRotation,
    pub(super) labels: RawLabels,
    pub(super) switches: RawSwitches,
    pub(super) reminders: super::reminders::RawReminders,
    pub(super) templates: RawTemplates,
    pub(super) leave: Vec<RawLeave>,
    /// First names people write in their plans, and whose login each is.
    pub(super) people: std::collections::BTreeMap<String, String>,
    /// The era of the ritual whose layout the repository uses.
    pub(super) preset: Option<String>,
    /// Declared sections of the body and of team comments.
    pub(super) body: super::layout::RawPlace,
    pub(super) team: super::layout::RawPlace,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawException {
    pub(super) sprint: Option<String>,
    pub(super) skip: Option<bool>,
    pub(super) extend_days: Option<i64>,
    #[allow(dead_code)] // for people reading the file
    pub(super) reason: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLeave {
    pub(super) login: Option<String>,
    pub(super) from: Option<String>,
    pub(super) to: Option<String>,
    #[allow(dead_code)] // for people reading the file
    pub(super) reason: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTeam {
    // Optional here so a nameless team is reported at its `[[teams]]` line
    // (by `validate`) rather than by serde, about the whole file.
    pub(super) name: Option<String>,
    pub(super) slug: Option<String>,
    #[serde(default)]
    pub(super) previous_names: Vec<String>,
    #[serde(default)]
    pub(super) members: Vec<String>,
    pub(super) github_team: Option<String>,
    /// Other names people give the team in their own comments.
    #[serde(default)]
    pub(super) names: Vec<String>,
    pub(super) legend: Option<String>,
    #[serde(default)]
    pub(super) own_comment: bool,
    /// The team's own support-hero rotation.
    #[serde(default)]
    pub(super) heroes: Vec<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawEngineers {
    pub(super) logins: Vec<String>,
    pub(super) team: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawCadence {
    pub(super) anchor: Option<String>,
    // Numbers are read as i64 and narrowed by `validate`, which says what
    // range makes sense ("a sprint of 0 weeks is not supported").
    pub(super) length_weeks: i64,
    pub(super) timezone: String,
    pub(super) opens_at: String,
    pub(super) working_days: Vec<String>,
    pub(super) exceptions: Vec<RawException>,
}

impl Default for RawCadence {
    fn default() -> Self {
        RawCadence {
            anchor: None,
            length_weeks: 2,
            timezone: "UTC".into(),
            opens_at: "09:00".into(),
            working_days: ["mon", "tue", "wed", "thu", "fri"]
                .map(String::from)
                .to_vec(),
            exceptions: Vec::new(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawNumbering {
    pub(super) first_version: String,
    pub(super) sprints_per_release: i64,
    pub(super) bump: Bump,
    pub(super) count_skipped: bool,
}

impl Default for RawNumbering {
    fn default() -> Self {
        RawNumbering {
            first_version: "1.0.0".into(),
            sprints_per_release: 2,
            bump: Bump::Minor,
            count_skipped: false,
        }
    }
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawRotation {
    pub(super) heroes: Vec<String>,
    pub(super) overrides: Vec<RawOverride>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOverride {
    pub(super) sprint: Option<String>,
    pub(super) week: Option<i64>,
    pub(super) login: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawLabels {
    pub(super) sprint: String,
}

impl Default for RawLabels {
    fn default() -> Self {
        RawLabels {
            sprint: "sprint".into(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawSwitches {
    pub(super) close_previous: bool,
    pub(super) pin: bool,
    pub(super) carry_unfinished_goals: bool,
    pub(super) require_why: bool,
    pub(super) max_risks: i64,
    pub(super) health: bool,
    pub(super) carry_counts: bool,
    pub(super) tick_linked_goals: bool,
    pub(super) goals_as_sub_issues: bool,
    pub(super) shipped: bool,
    pub(super) shipped_per_team: i64,
    pub(super) pin_summary: bool,
}

impl Default for RawSwitches {
    fn default() -> Self {
        RawSwitches {
            close_previous: true,
            pin: true,
            carry_unfinished_goals: false,
            require_why: false,
            max_risks: 3,
            health: true,
            carry_counts: true,
            tick_linked_goals: true,
            goals_as_sub_issues: false,
            shipped: true,
            shipped_per_team: 10,
            pin_summary: false,
        }
    }
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawTemplates {
    pub(super) title: Option<String>,
    pub(super) issue: Option<String>,
    pub(super) team: Option<String>,
    pub(super) health: Option<String>,
    pub(super) shipped: Option<String>,
    pub(super) summary: Option<String>,
    pub(super) review: Option<String>,
    pub(super) nudge_status: Option<String>,
    pub(super) nudge_teams: Option<String>,
}
