//! The team planning comment model: the team marker, the task-list items
//! under each heading (Retro, Hang over items, High priority, Bugs, Low
//! priority / side quests), and which of them roll over.

use super::SprintId;
use super::items;
use super::links::{LinkRef, in_text};
use super::markers::parse_team_marker;
use super::team_read::{self, Fate, HangOver, Legend};

/// One task-list item of a team comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamItem {
    /// The heading it sits under (`High priority`, `Bugs`, ...).
    pub heading: String,
    pub done: bool,
    pub text: String,
}

/// A team's planning comment, as people left it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamDoc {
    pub slug: String,
    pub sprint: SprintId,
    pub items: Vec<TeamItem>,
    /// The comment as written, read again by `team_read` at rollover.
    pub body: String,
    /// Its address on GitHub (empty when not known), so that what moves
    /// from it links back to it.
    pub url: String,
    /// A comment a person wrote as the team's plan (`team_map`), not
    /// sprintbot's own.
    pub hand_written: bool,
    /// Links (as its items write them) whose issue closed as completed or
    /// whose pull request merged: an item all of whose links are here is
    /// done, without anyone editing the comment.
    pub finished_links: Vec<LinkRef>,
}

/// Every plan item of a comment by its fate at rollover.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fates {
    pub carried: Vec<HangOver>,
    pub done: Vec<HangOver>,
    pub dropped: Vec<HangOver>,
}

impl Fates {
    /// Add `other`'s items, an item already present (in any fate) once.
    pub fn merge(&mut self, other: Fates) {
        for (list, fate) in [
            (other.carried, Fate::Carried),
            (other.done, Fate::Done),
            (other.dropped, Fate::Dropped),
        ] {
            for h in list {
                let key = h.key();
                // A decisive mark in either comment beats "not done yet".
                let carried = self.carried.iter().position(|o| o.key() == key);
                match carried {
                    Some(at) if fate != Fate::Carried => {
                        self.carried.remove(at);
                        self.list(fate).push(h);
                    }
                    _ if self.has(&h) => {}
                    _ => self.list(fate).push(h),
                }
            }
        }
    }

    fn has(&self, h: &HangOver) -> bool {
        let key = h.key();
        [&self.carried, &self.done, &self.dropped]
            .iter()
            .any(|l| l.iter().any(|o| o.key() == key))
    }

    fn list(&mut self, fate: Fate) -> &mut Vec<HangOver> {
        match fate {
            Fate::Carried => &mut self.carried,
            Fate::Done => &mut self.done,
            Fate::Dropped => &mut self.dropped,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.carried.is_empty() && self.done.is_empty() && self.dropped.is_empty()
    }
}

impl TeamDoc {
    /// Read a comment; `None` when it carries no team marker.
    pub fn parse(body: &str) -> Option<TeamDoc> {
        let mut lines = body.lines();
        let (slug, sprint) = lines.by_ref().find_map(parse_team_marker)?;
        let mut heading = String::new();
        let mut in_fence = false;
        let mut found = Vec::new();
        for line in lines {
            let t = line.trim_end();
            if t.trim_start().starts_with("```") || t.trim_start().starts_with("~~~") {
                in_fence = !in_fence;
                continue;
            }
            if in_fence {
                continue;
            }
            if let Some(h) = t.strip_prefix('#') {
                heading = h.trim_start_matches('#').trim().to_string();
                continue;
            }
            if let Some((done, text)) = items::task(t.trim_start()) {
                let text = text.trim();
                if !text.is_empty() {
                    found.push(TeamItem {
                        heading: heading.clone(),
                        done,
                        text: text.to_string(),
                    });
                }
            }
        }
        Some(TeamDoc {
            slug,
            sprint,
            items: found,
            body: body.to_string(),
            url: String::new(),
            hand_written: false,
            finished_links: Vec::new(),
        })
    }

    /// A plan a person wrote for team `slug` (mapped by `team_map`).
    pub fn hand_written(slug: &str, sprint: SprintId, body: &str, url: &str) -> TeamDoc {
        TeamDoc {
            slug: slug.to_string(),
            sprint,
            items: Vec::new(),
            body: body.to_string(),
            url: url.to_string(),
            hand_written: true,
            finished_links: Vec::new(),
        }
    }

    /// Whether every issue or pull request `text` links is finished (and
    /// it links one).
    fn links_finished(&self, text: &str) -> bool {
        let links = in_text(text);
        !links.is_empty() && links.iter().all(|l| self.finished_links.contains(l))
    }

    /// The same comment, known to live at `url`.
    pub fn at(mut self, url: &str) -> TeamDoc {
        self.url = url.to_string();
        self
    }

    /// Every plan item by its fate, each text once, linking back to this
    /// comment when its address is known. `legend`: the team's, for a
    /// comment that writes none of its own.
    pub fn fates(&self, legend: Option<&Legend>) -> Fates {
        let mut out = Fates::default();
        for item in team_read::read(&self.body, legend).items {
            let Some(mut fate) = item.fate() else {
                continue;
            };
            let mut h = item.hang_over();
            if fate == Fate::Carried && self.links_finished(&h.text) {
                fate = Fate::Done;
                h.guessed = false;
            }
            if !self.url.is_empty() {
                h.from = Some(self.url.clone());
            }
            if !out.has(&h) {
                out.list(fate).push(h);
            }
        }
        out
    }

    /// The items that roll into the next sprint's hang-over list: every
    /// plan item not done nor dropped, as people wrote it (`team_read`),
    /// each text once.
    pub fn hang_overs(&self) -> Vec<HangOver> {
        self.fates(None).carried
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMMENT: &str = "<!-- sprintbot:team slug=growth sprint=2022-11-14 -->\nTeam Growth\n\n## Retro\n\n- [ ] talk more\n\n## Hang over items from previous sprint\n\n- [ ] Old thing\n\n## Planning\n\n### High priority\n\n- [x] Shipped thing\n- [ ] Unshipped thing @ann\n- [ ] old thing\n\n### Bugs\n\n```\n- [ ] not an item\n```\n- [ ] Fix login\n\n### Low priority / side quests\n\n-\n";

    #[test]
    fn unticked_items_become_hang_overs_ticked_ones_do_not() {
        let doc = TeamDoc::parse(COMMENT).unwrap();
        assert_eq!(doc.slug, "growth");
        assert_eq!(
            doc.hang_overs()
                .into_iter()
                .map(|h| h.text)
                .collect::<Vec<_>>(),
            vec!["Old thing", "Unshipped thing `@ann`", "Fix login"]
        );
        assert!(
            doc.items
                .iter()
                .any(|i| i.done && i.text == "Shipped thing" && i.heading == "High priority")
        );
    }

    #[test]
    fn the_team_s_legend_governs_a_comment_that_writes_none() {
        let doc = TeamDoc::hand_written(
            "search",
            SprintId("2022-11-14".parse().unwrap()),
            "Team Search\n\n## Plan\n\n- 🟢 Ranking tweaks\n- 🟡 Typeahead\n",
            "https://github.com/acme/app/issues/3#issuecomment-9",
        );
        // Without a legend 🟢 is a guess, carried, never counted done.
        let unknown = doc.fates(None);
        assert_eq!(unknown.carried.len(), 2);
        assert!(unknown.carried.iter().all(|h| h.guessed));
        let legend = Legend::find(std::iter::once("🟢 = done, 🟡 = in progress")).unwrap();
        let known = doc.fates(Some(&legend));
        assert_eq!(known.done.len(), 1, "{known:?}");
        assert_eq!(known.carried.len(), 1);
        assert!(!known.carried[0].guessed);
        assert_eq!(
            known.carried[0].from.as_deref(),
            Some("https://github.com/acme/app/issues/3#issuecomment-9")
        );
    }

    #[test]
    fn an_item_in_both_comments_counts_once_and_a_decisive_mark_wins() {
        let sprint = SprintId("2022-11-14".parse().unwrap());
        let ours = TeamDoc::parse(
            "<!-- sprintbot:team slug=search sprint=2022-11-14 -->\nTeam Search\n\n## Planning\n\n- [ ] Ranking tweaks\n- [ ] Typeahead\n",
        )
        .unwrap();
        let theirs = TeamDoc::hand_written(
            "search",
            sprint,
            "# Team Search\n\n## Plan\n\n- ✅ ranking tweaks\n- Typeahead\n- New index\n",
            "",
        );
        let mut all = ours.fates(None);
        all.merge(theirs.fates(None));
        let texts = |l: &[HangOver]| l.iter().map(|h| h.key()).collect::<Vec<_>>();
        assert_eq!(texts(&all.carried), ["typeahead", "new index"]);
        assert_eq!(texts(&all.done), ["ranking tweaks"]);
    }

    #[test]
    fn comments_without_a_team_marker_are_not_team_comments() {
        assert_eq!(TeamDoc::parse("Team Growth\n- [ ] x"), None);
    }
}
