//! The ledger of handled comments, kept in the sprint issue's metadata
//! marker so that GitHub itself records which commands were applied: it is
//! written in the same body update as the changes it records, so a crash, a
//! retry or an empty store can never apply a comment twice.
//!
//! It holds a cursor (every comment with an id at or below it is handled),
//! the time from which comments must be listed to find newer ones, and an
//! entry per comment above the cursor whose commands were applied (with a
//! flag when some were refused), plus the short hashes of command lines
//! that edits added to a comment and that were applied.

use std::collections::BTreeMap;

/// What the ledger knows about one comment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Entry {
    /// The comment's own commands (as written) were handled; false when
    /// only lines its author added later are recorded.
    pub created: bool,
    /// Some of the comment's commands were refused (its answer is 😕).
    pub refused: bool,
    /// Hashes of lines added by edits and applied (see [`line_hash`]).
    pub edits: Vec<String>,
}

/// Which comments of a sprint issue have been handled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ledger {
    /// Every comment with an id at or below this is handled.
    pub cursor: u64,
    /// Comments last updated before this instant are all at or below the
    /// cursor: listing comments `since` it finds everything newer.
    pub since: Option<String>,
    /// Comments handled above the cursor, and edits applied at any id.
    pub entries: BTreeMap<u64, Entry>,
}

/// How many entries the ledger may hold before it asks to be compacted
/// (which needs the comments to be listed).
pub const COMPACT_AT: usize = 64;

/// The short hash that identifies a command line an edit added: the first
/// six bytes of its SHA-256, in hex.
pub fn line_hash(line: &str) -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(line.trim().as_bytes());
    hex::encode(&digest[..6])
}

impl Ledger {
    /// Whether comment `id`'s own (created) commands have been handled.
    pub fn is_applied(&self, id: u64) -> bool {
        id <= self.cursor || self.entries.get(&id).is_some_and(|e| e.created)
    }

    /// Whether the edit line with this hash was applied to comment `id`.
    pub fn has_edit(&self, id: u64, hash: &str) -> bool {
        self.entries
            .get(&id)
            .is_some_and(|e| e.edits.iter().any(|h| h == hash))
    }

    /// Whether comment `id` was recorded with refused commands.
    pub fn was_refused(&self, id: u64) -> bool {
        self.entries.get(&id).is_some_and(|e| e.refused)
    }

    /// Record that comment `id`'s commands were handled.
    pub fn record(&mut self, id: u64, refused: bool) {
        let e = self.entries.entry(id).or_default();
        e.created = true;
        e.refused |= refused;
    }

    /// Record that an edit's line (by hash) was applied to comment `id`.
    pub fn record_edit(&mut self, id: u64, hash: String) {
        let cursor = self.cursor;
        let e = self.entries.entry(id).or_default();
        // At or below the cursor, the comment itself is handled.
        e.created |= id <= cursor;
        if !e.edits.contains(&hash) {
            e.edits.push(hash);
        }
    }

    /// Move the cursor to `to` (every comment up to it is handled and
    /// answered), listing from `since` from now on. Entries at or below it
    /// are forgotten unless they carry edit hashes.
    pub fn compact(&mut self, to: u64, since: Option<String>) {
        if to < self.cursor {
            return;
        }
        self.cursor = to;
        if since.is_some() {
            self.since = since;
        }
        self.entries.retain(|id, e| *id > to || !e.edits.is_empty());
        for (id, e) in self.entries.iter_mut() {
            if *id <= to {
                e.refused = false;
                e.created = true;
            }
        }
    }

    /// Whether the ledger has grown enough to be worth compacting: counted
    /// over the entries a compaction can forget. Entries with edit hashes
    /// stay whatever the cursor, so counting them would ask for a
    /// compaction (a listing of the comments) on every command once
    /// 64 comments had been edited.
    pub fn wants_compaction(&self) -> bool {
        self.entries.values().filter(|e| e.edits.is_empty()).count() >= COMPACT_AT
    }

    /// The marker fields, e.g. `handled=12 since=2022-11-16T12:00:00Z
    /// applied=14,15!,9:ab12cd.ef34aa,~20:12ab34`; `~` marks a comment
    /// whose added lines were handled but not its own commands.
    pub fn render_fields(&self) -> String {
        let mut s = format!("handled={}", self.cursor);
        if let Some(since) = &self.since {
            s.push_str(&format!(" since={since}"));
        }
        if !self.entries.is_empty() {
            let list: Vec<String> = self
                .entries
                .iter()
                .map(|(id, e)| {
                    let mut item = if e.created || *id <= self.cursor {
                        id.to_string()
                    } else {
                        format!("~{id}")
                    };
                    if e.refused {
                        item.push('!');
                    }
                    if !e.edits.is_empty() {
                        item.push(':');
                        item.push_str(&e.edits.join("."));
                    }
                    item
                })
                .collect();
            s.push_str(&format!(" applied={}", list.join(",")));
        }
        s
    }

    /// Read the `applied=` field's value.
    pub fn parse_applied(value: &str) -> Option<BTreeMap<u64, Entry>> {
        let mut entries = BTreeMap::new();
        for item in value.split(',').filter(|i| !i.is_empty()) {
            let (head, edits) = match item.split_once(':') {
                Some((h, e)) => (h, e.split('.').map(String::from).collect()),
                None => (item, Vec::new()),
            };
            let (id, refused) = match head.strip_suffix('!') {
                Some(id) => (id, true),
                None => (head, false),
            };
            let (id, created) = match id.strip_prefix('~') {
                Some(id) => (id, false),
                None => (id, true),
            };
            let valid_hash = |h: &String| h.len() == 12 && h.bytes().all(|b| b.is_ascii_hexdigit());
            if !edits.iter().all(valid_hash) {
                return None;
            }
            entries.insert(
                id.parse().ok()?,
                Entry {
                    created,
                    refused,
                    edits,
                },
            );
        }
        Some(entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ledger_round_trips_through_its_fields() {
        let mut l = Ledger {
            cursor: 10,
            since: Some("2022-11-16T12:00:00Z".into()),
            ..Ledger::default()
        };
        l.record(14, false);
        l.record(15, true);
        l.record_edit(9, line_hash("/goal done 1"));
        l.record_edit(20, line_hash("/risk later"));
        let fields = l.render_fields();
        assert!(fields.contains(",~20:"), "{fields}");
        assert!(
            !l.is_applied(20),
            "an edit alone does not handle the comment"
        );
        assert!(fields.starts_with("handled=10 since=2022-11-16T12:00:00Z applied=9:"));
        let applied = fields.split("applied=").nth(1).unwrap();
        assert_eq!(Ledger::parse_applied(applied).unwrap(), l.entries);
        assert!(l.is_applied(9) && l.is_applied(14) && !l.is_applied(13));
        assert!(l.was_refused(15) && !l.was_refused(14));
        assert!(l.has_edit(9, &line_hash("  /goal done 1 ")));
        assert_eq!(Ledger::parse_applied("1:zz"), None);
        assert_eq!(Ledger::parse_applied("x"), None);
    }

    #[test]
    fn edited_comments_never_keep_the_ledger_asking_for_compaction() {
        let mut l = Ledger::default();
        for id in 1..=100 {
            l.record(id, false);
            l.record_edit(id, line_hash("/risk added later"));
        }
        l.compact(100, Some("t".into()));
        assert_eq!(l.entries.len(), 100, "edit hashes are kept");
        assert!(!l.wants_compaction());
        for id in 101..101 + COMPACT_AT as u64 {
            l.record(id, false);
        }
        assert!(
            l.wants_compaction(),
            "plain entries above the cursor still count"
        );
    }

    #[test]
    fn compaction_keeps_edit_hashes_and_entries_above_the_cursor() {
        let mut l = Ledger::default();
        l.record(3, true);
        l.record(5, false);
        l.record(8, false);
        l.record_edit(5, line_hash("/risk x"));
        l.compact(6, Some("t".into()));
        assert_eq!(l.cursor, 6);
        assert_eq!(l.entries.keys().copied().collect::<Vec<_>>(), vec![5, 8]);
        assert!(!l.was_refused(5) && l.is_applied(3));
        l.compact(2, None);
        assert_eq!(l.cursor, 6, "the cursor never moves back");
    }
}
