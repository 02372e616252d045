//! The sprint issue body model: find the managed sections by their markers,
//! read goals (with their carry-over markers), drop records, risks, retro
//! items and heroes, and apply one change. Every byte outside the targeted
//! item comes back unchanged; a body whose markers are missing, duplicated or
//! out of order is reported, never rewritten.

use std::collections::BTreeMap;
use std::ops::Range;

use super::Login;
// Re-exported: a dozen users outside `sprint` name them as `body::…`.
use super::carry::Dropped;
pub use super::change::Change;
pub use super::goal::Goal;
pub use super::items::render_heroes;
use super::items::{self, Chunk, GoalText, read_heroes, set_status, set_tick};
use super::links;
use super::markers::{Metadata, Section, neutralise};

mod calendar;
mod expected;

/// Why a body could not be read or changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    #[error("the `{section}` section's markers are missing from the issue body")]
    MissingMarker { section: Section },
    #[error("the marker `{marker}` appears {count} times in the issue body")]
    DuplicateMarker { marker: String, count: usize },
    #[error(
        "the `{section}` section's end marker comes before its start, or overlaps another section"
    )]
    MarkersOutOfOrder { section: Section },
    #[error("the sprint metadata marker is missing or damaged")]
    NoMetadata,
    #[error("there is no item {n} in `{section}`: it has {count}")]
    NoSuchItem {
        section: Section,
        n: usize,
        count: usize,
    },
    #[error("there are already {max} risks; drop one first")]
    TooManyRisks { max: usize },
    #[error("week {week} is not a week of this sprint")]
    NoSuchWeek { week: u8 },
}

/// The result of a change: the new body, and the targeted item before and after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub body: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// A parsed sprint issue body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SprintDoc {
    text: String,
    meta: Option<(Range<usize>, Metadata)>,
    /// Content between each section's marker lines.
    sections: BTreeMap<Section, Range<usize>>,
    eol: &'static str,
}

impl SprintDoc {
    /// Find the markers of `body`. Fails only on structural damage
    /// (duplicated or misordered markers); absent sections are reported when
    /// a change targets them.
    pub fn parse(body: &str) -> Result<SprintDoc, BodyError> {
        let mut starts: BTreeMap<Section, Vec<Range<usize>>> = BTreeMap::new();
        let mut ends: BTreeMap<Section, Vec<Range<usize>>> = BTreeMap::new();
        let mut metas = Vec::new();
        let mut offset = 0;
        for line in body.split_inclusive('\n') {
            let range = offset..offset + line.len();
            offset += line.len();
            let t = items::text(line).trim();
            if !t.starts_with("<!-- sprintbot:") {
                continue;
            }
            if Metadata::is_marker_line(t) {
                metas.push((
                    range.start..range.start + items::text(line).len(),
                    t.to_string(),
                ));
                continue;
            }
            for s in Section::ALL.into_iter().chain(Section::OPTIONAL) {
                if t == s.start_marker() {
                    starts.entry(s).or_default().push(range.clone());
                } else if t == s.end_marker() {
                    ends.entry(s).or_default().push(range.clone());
                }
            }
        }
        if metas.len() > 1 {
            return Err(BodyError::DuplicateMarker {
                marker: "<!-- sprintbot:sprint ... -->".into(),
                count: metas.len(),
            });
        }
        let meta = match metas.pop() {
            Some((range, line)) => {
                Some((range, Metadata::parse(&line).ok_or(BodyError::NoMetadata)?))
            }
            None => None,
        };
        let mut sections = BTreeMap::new();
        // Each section from its start marker to its end marker, markers
        // included: two sections may not overlap even by a marker line.
        let mut outer: Vec<(Section, Range<usize>)> = Vec::new();
        for s in Section::ALL.into_iter().chain(Section::OPTIONAL) {
            let st = starts.remove(&s).unwrap_or_default();
            let en = ends.remove(&s).unwrap_or_default();
            for (marker, found) in [(s.start_marker(), &st), (s.end_marker(), &en)] {
                if found.len() > 1 {
                    return Err(BodyError::DuplicateMarker {
                        marker,
                        count: found.len(),
                    });
                }
            }
            match (st.first(), en.first()) {
                (None, None) => {}
                (Some(a), Some(b)) if a.end <= b.start => {
                    sections.insert(s, a.end..b.start);
                    outer.push((s, a.start..b.end));
                }
                (Some(_), Some(_)) => return Err(BodyError::MarkersOutOfOrder { section: s }),
                _ => return Err(BodyError::MissingMarker { section: s }),
            }
        }
        outer.sort_by_key(|(_, r)| r.start);
        for pair in outer.windows(2) {
            if pair[0].1.end > pair[1].1.start {
                return Err(BodyError::MarkersOutOfOrder { section: pair[1].0 });
            }
        }
        let eol = if body.contains("\r\n") { "\r\n" } else { "\n" };
        Ok(SprintDoc {
            text: body.to_string(),
            meta,
            sections,
            eol,
        })
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn metadata(&self) -> Option<&Metadata> {
        self.meta.as_ref().map(|(_, m)| m)
    }

    pub fn has_section(&self, section: Section) -> bool {
        self.sections.contains_key(&section)
    }

    fn content(&self, section: Section) -> Result<(Range<usize>, &str), BodyError> {
        let range = self
            .sections
            .get(&section)
            .cloned()
            .ok_or(BodyError::MissingMarker { section })?;
        let content = &self.text[range.clone()];
        Ok((range, content))
    }

    /// The goals of the plan, in order.
    pub fn goals(&self) -> Result<Vec<Goal>, BodyError> {
        let (_, content) = self.content(Section::Goals)?;
        Ok(goal_chunks(content)
            .iter()
            .enumerate()
            .map(|(i, c)| read_goal(i + 1, &content[c.range.clone()]))
            .collect())
    }

    /// The goals dropped from the plan this sprint, from their hidden records.
    pub fn dropped(&self) -> Result<Vec<Dropped>, BodyError> {
        let (_, content) = self.content(Section::Goals)?;
        Ok(content
            .lines()
            .filter_map(|l| Dropped::parse(l.trim()))
            .collect())
    }

    /// The items of a list section (risks, retro, retro-goals), as text.
    pub fn list(&self, section: Section) -> Result<Vec<String>, BodyError> {
        let (_, content) = self.content(section)?;
        Ok(list_chunks(content)
            .iter()
            .filter_map(|c| {
                items::list_item(items::text(&content[c.range.clone()]))
                    .map(|t| t.trim().to_string())
            })
            .collect())
    }

    /// The support heroes, by week number.
    pub fn heroes(&self) -> Result<BTreeMap<u8, Login>, BodyError> {
        let (_, content) = self.content(Section::Heroes)?;
        Ok(read_heroes(content))
    }

    /// Apply one change and return the new body.
    pub fn apply(&self, change: &Change) -> Result<Applied, BodyError> {
        let eol = self.eol;
        match change {
            Change::SetLedger(ledger) => {
                let (range, meta) = self.meta.clone().ok_or(BodyError::NoMetadata)?;
                let before = meta.render();
                let after = Metadata {
                    ledger: ledger.clone(),
                    ..meta
                }
                .render();
                Ok(self.splice(range, &after, Some(before), Some(after.clone())))
            }
            Change::AddGoal { title, owner, why } => {
                let goal = GoalText {
                    title: title.clone(),
                    owner: owner.clone(),
                    why: why.clone(),
                    mark: None,
                    ticked_by: None,
                };
                let line = items::render_goal(false, &goal, eol);
                self.append(Section::Goals, &line)
            }
            Change::AddRisk { text, max } => {
                if self.list(Section::Risks)?.len() >= *max {
                    return Err(BodyError::TooManyRisks { max: *max });
                }
                self.append(Section::Risks, &format!("1. {}{eol}", neutralise(text)))
            }
            Change::AddRetro(text) => {
                self.append(Section::Retro, &format!("1. {}{eol}", neutralise(text)))
            }
            Change::DropRisk(n) => self.edit_item(Section::Risks, *n, |_| None),
            Change::SetHero { week, login } => {
                let (range, content) = self.content(Section::Heroes)?;
                let mut heroes = read_heroes(content);
                let weeks = heroes.keys().copied().max().unwrap_or(2).max(2);
                if *week == 0 || *week > weeks {
                    return Err(BodyError::NoSuchWeek { week: *week });
                }
                let before = render_heroes(&heroes, weeks, "");
                heroes.insert(*week, login.clone());
                let after = render_heroes(&heroes, weeks, "");
                let line = render_heroes(&heroes, weeks, eol);
                Ok(self.splice(range, &line, Some(before), Some(after)))
            }
            Change::Tick(n) | Change::Untick(n) => {
                let done = matches!(change, Change::Tick(_));
                self.edit_item(Section::Goals, *n, |item| Some(set_tick(item, done)))
            }
            Change::LinkTick(n, by) => {
                self.edit_item(Section::Goals, *n, |item| Some(links::tick_item(item, *by)))
            }
            Change::LinkUntick(n) => {
                self.edit_item(Section::Goals, *n, |item| Some(links::untick_item(item)))
            }
            Change::Drop(n) => {
                // The goal's item becomes its hidden drop record, in place:
                // no other byte moves, the sprint's health can count it, and
                // the audit log shows the goal removed.
                let sprint = self.metadata().map(|m| m.sprint);
                let mut applied = self.edit_item(Section::Goals, *n, |item| {
                    let record = Dropped::of(&read_goal(*n, item), sprint).render();
                    Some(format!("{record}{}", &item[items::text(item).len()..]))
                })?;
                applied.after = None;
                Ok(applied)
            }
            // An edit keeps the goal's link unless the new title names one.
            Change::Edit(n, title) => {
                self.edit_goal(*n, |g| g.title = links::keep_link(&g.title, title))
            }
            Change::SetOwner(n, login) => self.edit_goal(*n, |g| g.owner = Some(login.clone())),
            Change::SetStatus(n, status) => self.edit_item(Section::Goals, *n, |item| {
                Some(set_status(item, status, eol))
            }),
            Change::AddOff(off) => self.add_off(off),
            Change::Except(e) => Ok(self.except(*e)),
        }
    }

    fn splice(
        &self,
        range: Range<usize>,
        with: &str,
        before: Option<String>,
        after: Option<String>,
    ) -> Applied {
        let mut body = String::with_capacity(self.text.len() + with.len());
        body.push_str(&self.text[..range.start]);
        body.push_str(with);
        body.push_str(&self.text[range.end..]);
        Applied {
            body,
            before,
            after,
        }
    }

    fn append(&self, section: Section, line: &str) -> Result<Applied, BodyError> {
        let (range, content) = self.content(section)?;
        let at = range.end;
        let glue = if content.is_empty() || content.ends_with('\n') {
            ""
        } else {
            self.eol
        };
        let after = items::text(line).to_string();
        Ok(self.splice(at..at, &format!("{glue}{line}"), None, Some(after)))
    }

    /// Replace item `n` of a section by what `f` makes of it (`None` removes it).
    fn edit_item(
        &self,
        section: Section,
        n: usize,
        f: impl FnOnce(&str) -> Option<String>,
    ) -> Result<Applied, BodyError> {
        let (range, content) = self.content(section)?;
        let chunks = if section == Section::Goals {
            goal_chunks(content)
        } else {
            list_chunks(content)
        };
        let count = chunks.len();
        let chunk = n
            .checked_sub(1)
            .and_then(|i| chunks.get(i))
            .ok_or(BodyError::NoSuchItem { section, n, count })?;
        let item = &content[chunk.range.clone()];
        let new = f(item);
        let abs = range.start + chunk.range.start..range.start + chunk.range.end;
        let before = Some(item.trim_end().to_string());
        let after = new.as_ref().map(|s| s.trim_end().to_string());
        Ok(self.splice(abs, new.as_deref().unwrap_or(""), before, after))
    }

    fn edit_goal(&self, n: usize, f: impl FnOnce(&mut GoalText)) -> Result<Applied, BodyError> {
        let eol = self.eol;
        self.edit_item(Section::Goals, n, |item| {
            let first_len = item.find('\n').map_or(item.len(), |i| i + 1);
            let first = items::text(&item[..first_len]);
            let line_eol = &item[first.len()..first_len];
            let (done, rest) = items::goal_item(first).unwrap_or((false, first));
            let mut goal = items::parse_goal(rest);
            f(&mut goal);
            let mut line =
                items::render_goal(done, &goal, if line_eol.is_empty() { "" } else { eol });
            if line_eol.is_empty() && first_len < item.len() {
                line.push_str(eol);
            }
            Some(format!("{line}{}", &item[first_len..]))
        })
    }
}

fn goal_chunks(content: &str) -> Vec<Chunk> {
    items::chunks(content, |l| items::goal_item(l).is_some())
        .into_iter()
        .filter(|c| c.is_item)
        .collect()
}

fn list_chunks(content: &str) -> Vec<Chunk> {
    items::chunks(content, |l| items::list_item(l).is_some())
        .into_iter()
        .filter(|c| c.is_item)
        .collect()
}

fn read_goal(number: usize, item: &str) -> Goal {
    let mut lines = item.split_inclusive('\n');
    let first = items::text(lines.next().unwrap_or(""));
    let (done, rest) = items::goal_item(first).unwrap_or((false, first));
    let g = items::parse_goal(rest);
    let status = lines
        .find_map(|l| items::status_line(items::text(l)))
        .map(neutralise);
    Goal {
        number,
        done,
        title: g.title,
        owner: g.owner,
        why: g.why,
        status,
        mark: g.mark,
        ticked_by: g.ticked_by,
    }
}
