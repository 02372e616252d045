//! The calendar parts of a sprint issue body: who is off (the optional "Off
//! this sprint" section, added after the heroes the first time someone is
//! off, never over anyone's text) and the cadence exceptions recorded in
//! the hidden calendar marker.

use super::{Applied, BodyError, SprintDoc};
use crate::sprint::exceptions::{Exception, Recorded};
use crate::sprint::markers::Section;
use crate::sprint::off::{self, Off};

impl SprintDoc {
    /// The time off the body records (none when it has no such section).
    pub fn off(&self) -> Vec<Off> {
        match self.content(Section::Off) {
            Ok((_, content)) => content.lines().filter_map(Off::parse_line).collect(),
            Err(_) => Vec::new(),
        }
    }

    /// The cadence exceptions its calendar marker records.
    pub fn recorded(&self) -> Recorded {
        Recorded::from_body(self.text())
    }

    pub(super) fn add_off(&self, entry: &Off) -> Result<Applied, BodyError> {
        let eol = self.eol;
        if self.has_section(Section::Off) {
            if self.off().contains(entry) {
                // Already there (a person wrote it, or an earlier command).
                return Ok(Applied {
                    body: self.text().to_string(),
                    before: None,
                    after: Some(entry.line()),
                });
            }
            return self.append(Section::Off, &format!("{}{eol}", entry.line()));
        }
        let block = off::section(std::slice::from_ref(entry), eol);
        let at = match self.sections.get(&Section::Heroes) {
            // After the heroes' end marker line.
            Some(range) => self.text[range.end..]
                .find('\n')
                .map_or(self.text.len(), |i| range.end + i + 1),
            None => self.text.len(),
        };
        let glue = if at > 0 && !self.text[..at].ends_with('\n') {
            eol
        } else {
            ""
        };
        let with = format!("{glue}{eol}{block}");
        Ok(self.splice(at..at, &with, None, Some(entry.line())))
    }

    pub(super) fn except(&self, e: Exception) -> Applied {
        let before = self.recorded();
        let after = before.with(e);
        Applied {
            body: after.write_into(self.text()),
            before: before.marker(),
            after: after.marker(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Change;
    use super::*;
    use crate::sprint::Login;
    use crate::sprint::SprintId;
    use jiff::civil::date;

    const BODY: &str = "<!-- sprintbot:sprint id=2026-11-16 version=1.0.0 part=1/2 -->\n### Support hero this sprint\n\n<!-- sprintbot:heroes:start -->\nWeek 1: @ann Week 2: @bob\n<!-- sprintbot:heroes:end -->\n\n### Plan\n\n<!-- sprintbot:goals:start -->\n<!-- sprintbot:goals:end -->\n";

    fn off(login: &str, from: (i16, i8, i8), to: (i16, i8, i8)) -> Off {
        Off {
            login: Login(login.into()),
            from: date(from.0, from.1, from.2),
            to: date(to.0, to.1, to.2),
        }
    }

    #[test]
    fn the_first_off_adds_the_section_after_the_heroes_and_the_next_appends() {
        let doc = SprintDoc::parse(BODY).unwrap();
        assert!(doc.off().is_empty());
        let ann = off("ann", (2026, 11, 23), (2026, 11, 29));
        let once = doc.apply(&Change::AddOff(ann.clone())).unwrap().body;
        assert!(
            once.contains("<!-- sprintbot:heroes:end -->\n\n### Off this sprint\n\n<!-- sprintbot:off:start -->\n- @ann 2026-11-23..2026-11-29\n<!-- sprintbot:off:end -->\n\n### Plan"),
            "{once}"
        );
        let doc = SprintDoc::parse(&once).unwrap();
        assert_eq!(doc.off(), vec![ann.clone()]);
        let bob = off("bob", (2026, 11, 18), (2026, 11, 18));
        let twice = doc.apply(&Change::AddOff(bob.clone())).unwrap().body;
        assert_eq!(
            SprintDoc::parse(&twice).unwrap().off(),
            vec![ann.clone(), bob]
        );
        // The same entry again changes nothing.
        let again = doc.apply(&Change::AddOff(ann)).unwrap().body;
        assert_eq!(again, once);
        // Every byte of the original is still there, in order.
        assert!(twice.starts_with(&BODY[..BODY.find("\n### Plan").unwrap()]));
    }

    #[test]
    fn exceptions_go_in_the_calendar_marker() {
        let doc = SprintDoc::parse(BODY).unwrap();
        let skip = Exception::Skip(SprintId(date(2026, 12, 14)));
        let applied = doc.apply(&Change::Except(skip)).unwrap();
        let doc = SprintDoc::parse(&applied.body).unwrap();
        assert_eq!(doc.recorded().exceptions(), vec![skip]);
        assert_eq!(doc.metadata().unwrap().sprint, SprintId(date(2026, 11, 16)));
        assert!(applied.after.unwrap().contains("skip=2026-12-14"));
    }
}
