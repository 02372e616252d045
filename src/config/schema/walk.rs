//! One walk over a parsed config file, against its [`Key`]s: every syntax
//! error, unknown key, wrong type and out-of-range number is reported at
//! once, where it is written and with a fix; the walk remembers where each
//! key is written and keeps the well-formed rest for serde.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeArray, DeTable, DeValue};

use super::{Key, Shape, closest, find_home, join, table_name, with_article};
use crate::config::diag::{self, Diagnostic};

/// Where each key and value of a file is written (byte spans), by path:
/// `cadence.timezone`, `teams[1]`, `teams[1].members[0]`.
#[derive(Debug, Default, Clone)]
pub struct Spans {
    keys: HashMap<String, Range<usize>>,
    values: HashMap<String, Range<usize>>,
}

impl Spans {
    /// Where the key at `path` is written.
    pub fn key(&self, path: &str) -> Option<Range<usize>> {
        self.keys.get(path).cloned()
    }
    /// Where the value at `path` is written (for an array-of-tables entry,
    /// its `[[header]]`).
    pub fn value(&self, path: &str) -> Option<Range<usize>> {
        self.values.get(path).cloned()
    }
}

/// What the walk found.
pub struct Walked {
    /// The file's well-formed keys: unknown keys and values of the wrong
    /// type are left out, so serde can build the typed config from the rest.
    pub table: toml::Table,
    pub spans: Spans,
    pub problems: Vec<Diagnostic>,
    /// Paths already reported, so later checks do not report them twice.
    pub flagged: HashSet<String>,
    /// Whether the file is valid TOML (when not, `table` is a best guess).
    pub parsed: bool,
}

/// Parse `source` and check it against `keys`, the top-level keys it takes.
pub fn walk(file: &str, source: &str, keys: &'static [Key]) -> Walked {
    let (doc, errors) = DeTable::parse_recoverable(source);
    let mut w = Walker {
        file,
        source,
        root: keys,
        spans: Spans::default(),
        problems: Vec::new(),
        flagged: HashSet::new(),
    };
    for e in &errors {
        w.problems.push(syntax_error(file, source, e));
    }
    let table = w.table(doc.get_ref(), "", keys);
    diag::sort(&mut w.problems);
    Walked {
        table,
        spans: w.spans,
        problems: w.problems,
        flagged: w.flagged,
        parsed: errors.is_empty(),
    }
}

/// A TOML syntax error, located, with a fix.
pub fn syntax_error(file: &str, source: &str, e: &toml::de::Error) -> Diagnostic {
    Diagnostic::from_toml(file, source, e).with_help(
        "this is not valid TOML: check the quotes and brackets here (`key = \"text\"`, `[table]`, `[[array-of-tables]]`)",
    )
}

struct Walker<'a> {
    file: &'a str,
    source: &'a str,
    root: &'static [Key],
    spans: Spans,
    problems: Vec<Diagnostic>,
    flagged: HashSet<String>,
}

impl Walker<'_> {
    fn problem(&mut self, path: &str, span: Range<usize>, message: String, help: String) {
        self.flagged.insert(path.to_string());
        self.problems
            .push(Diagnostic::at_span(self.file, self.source, span, message).with_help(help));
    }

    fn table(&mut self, t: &DeTable<'_>, path: &str, keys: &'static [Key]) -> toml::Table {
        let mut out = toml::Table::new();
        for (k, v) in t.iter() {
            let name: &str = k.get_ref();
            let here = join(path, name);
            self.spans.keys.insert(here.clone(), k.span());
            self.spans.values.insert(here.clone(), v.span());
            match keys.iter().find(|key| key.name == name) {
                Some(key) => {
                    if let Some(value) = self.value(k.span(), v, &here, key) {
                        out.insert(name.to_string(), value);
                    }
                }
                None => {
                    let help = self.unknown_help(name, path, keys);
                    let message = match path {
                        "" => format!("unknown key `{name}`"),
                        _ => format!("unknown key `{name}` in {}", table_name(path)),
                    };
                    self.problem(&here, k.span(), message, help);
                }
            }
        }
        out
    }

    /// The value of a known key, or `None` (and a problem) when it has the
    /// wrong type or is out of range.
    fn value(
        &mut self,
        key_span: Range<usize>,
        v: &Spanned<DeValue<'_>>,
        path: &str,
        key: &Key,
    ) -> Option<toml::Value> {
        use toml::Value as V;
        let found = v.get_ref();
        match (&key.shape, found) {
            (Shape::Str, DeValue::String(s)) => return Some(V::String(s.to_string())),
            (Shape::Bool, DeValue::Boolean(b)) => return Some(V::Boolean(*b)),
            (Shape::Choice(options), DeValue::String(s)) => {
                if options.contains(&s.as_ref()) {
                    return Some(V::String(s.to_string()));
                }
                let list = options
                    .iter()
                    .map(|o| format!("\"{o}\""))
                    .collect::<Vec<_>>();
                let mut help = format!("use one of {}", list.join(", "));
                if let Some(best) = closest(s, options.iter().copied()) {
                    help.push_str(&format!("; did you mean \"{best}\"?"));
                }
                let message = format!("`{s}` is not a valid `{}`", key.name);
                self.problem(path, key_span, message, help);
                return None;
            }
            (Shape::Int { min, max }, DeValue::Integer(i)) => {
                let n = i64::from_str_radix(i.as_str(), i.radix()).ok();
                if let Some(n) = n.filter(|n| (min..=max).contains(&n)) {
                    return Some(V::Integer(n));
                }
                // Limits that only keep a number in its Rust type are not news.
                let range = if *max >= i64::from(u32::MAX) {
                    format!("at least {min}")
                } else {
                    format!("from {min} to {max}")
                };
                let (name, example) = (key.name, key.example);
                let message = format!("`{name} = {i}` is out of range");
                let help = format!("`{name}` must be {range}, like `{name} = {example}`");
                self.problem(path, key_span, message, help);
                return None;
            }
            (Shape::Strs, DeValue::Array(items)) => return self.strings(items, path, key),
            (Shape::Table(keys), DeValue::Table(t)) => {
                return Some(V::Table(self.table(t, path, keys)));
            }
            (Shape::StrMap, DeValue::Table(t)) => {
                let mut out = toml::Table::new();
                for (k, v) in t.iter() {
                    let here = join(path, k.get_ref());
                    self.spans.keys.insert(here.clone(), k.span());
                    self.spans.values.insert(here.clone(), v.span());
                    match v.get_ref() {
                        DeValue::String(s) => {
                            out.insert(k.get_ref().to_string(), V::String(s.to_string()));
                        }
                        other => {
                            let message = format!(
                                "wrong type for `{}`: found {}",
                                k.get_ref(),
                                with_article(other.type_str())
                            );
                            self.problem(&here, k.span(), message, key.how(path));
                        }
                    }
                }
                return Some(V::Table(out));
            }
            (Shape::Tables(keys), DeValue::Array(items))
                if items.iter().all(|i| i.get_ref().is_table()) =>
            {
                let mut out = Vec::new();
                for (n, item) in items.iter().enumerate() {
                    let here = format!("{path}[{n}]");
                    self.spans.values.insert(here.clone(), item.span());
                    if let DeValue::Table(t) = item.get_ref() {
                        out.push(V::Table(self.table(t, &here, keys)));
                    }
                }
                return Some(V::Array(out));
            }
            _ => {}
        }
        let message = format!(
            "wrong type for `{}`: found {}",
            key.name,
            with_article(found.type_str())
        );
        self.problem(path, key_span, message, key.how(path));
        None
    }

    /// An array of strings; any other element is reported at its own place
    /// and the whole key is left out (so the entries keep their numbers).
    fn strings(&mut self, items: &DeArray<'_>, path: &str, key: &Key) -> Option<toml::Value> {
        let mut out = Vec::new();
        let mut ok = true;
        for (n, item) in items.iter().enumerate() {
            let here = format!("{path}[{n}]");
            self.spans.values.insert(here.clone(), item.span());
            match item.get_ref() {
                DeValue::String(s) => out.push(toml::Value::String(s.to_string())),
                other => {
                    ok = false;
                    let message = format!(
                        "entry {} of `{}` is {}, not a string",
                        n + 1,
                        key.name,
                        with_article(other.type_str())
                    );
                    self.flagged.insert(path.to_string());
                    self.problem(&here, item.span(), message, key.how(path));
                }
            }
        }
        ok.then_some(toml::Value::Array(out))
    }

    fn unknown_help(&self, name: &str, path: &str, keys: &'static [Key]) -> String {
        if let Some(best) = closest(name, keys.iter().map(|k| k.name)) {
            return format!("did you mean `{best}`?");
        }
        if let Some(home) = find_home(self.root, name, "") {
            return format!("`{name}` belongs in {home}");
        }
        let names: Vec<&str> = keys.iter().map(|k| k.name).collect();
        let place = match path {
            "" => "this file".to_string(),
            _ => table_name(path),
        };
        format!("remove it; {place} takes {}", names.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INNER: &[Key] = &[
        Key::int_in("length_weeks", 1, 8, "2"),
        Key::str("timezone", "\"UTC\""),
        Key::strs("days", "[\"mon\"]"),
    ];
    const ITEM: &[Key] = &[Key::str("name", "\"Growth\"")];
    const TOP: &[Key] = &[
        Key::table("cadence", INNER),
        Key::tables("teams", ITEM),
        Key::new("bump", Shape::Choice(&["major", "minor"]), "\"minor\""),
    ];

    fn problems(src: &str) -> Vec<String> {
        walk("f", src, TOP)
            .problems
            .iter()
            .map(|d| {
                format!(
                    "{}:{} {} | {}",
                    d.line,
                    d.column,
                    d.message,
                    d.help.clone().unwrap_or_default()
                )
            })
            .collect()
    }

    #[test]
    fn every_mistake_is_reported_with_a_fix() {
        let p = problems(
            "bump = \"minr\"\ntimezone = \"UTC\"\n[cadence]\nlenght_weeks = 2\ntimezone = 3\ndays = [\"mon\", 1]\n[[teams]]\nname = \"a\"\nfoo = 1\n",
        );
        assert_eq!(
            p,
            [
                "1:1 `minr` is not a valid `bump` | use one of \"major\", \"minor\"; did you mean \"minor\"?",
                "2:1 unknown key `timezone` | `timezone` belongs in [cadence]",
                "4:1 unknown key `lenght_weeks` in [cadence] | did you mean `length_weeks`?",
                "5:1 wrong type for `timezone`: found an integer | `timezone` must be a string, like `timezone = \"UTC\"`",
                "6:16 entry 2 of `days` is an integer, not a string | `days` must be an array of strings, like `days = [\"mon\"]`",
                "9:1 unknown key `foo` in [[teams]] | remove it; [[teams]] takes name",
            ]
        );
    }

    #[test]
    fn the_well_formed_rest_is_kept_and_located() {
        let w = walk(
            "f",
            "[cadence]\nlength_weeks = 9\ntimezone = \"UTC\"\n[[teams]]\n[[teams]]\nname = \"b\"\n",
            TOP,
        );
        assert_eq!(w.problems.len(), 1, "{:?}", w.problems);
        assert!(
            w.problems[0]
                .help
                .as_deref()
                .unwrap()
                .contains("from 1 to 8")
        );
        assert_eq!(w.table["cadence"].as_table().map(|t| t.len()), Some(1));
        assert_eq!(w.spans.value("teams[1]").map(|s| s.start), Some(54));
        assert!(w.flagged.contains("cadence.length_weeks"));
        assert!(w.parsed);
    }

    #[test]
    fn close_names_are_suggested_and_far_ones_are_not() {
        let known = [
            "length_weeks",
            "tick_secs",
            "backoff_base_ms",
            "backoff_max_ms",
        ];
        let guess = |w| closest(w, known.iter().copied());
        assert_eq!(guess("lenght_weeks"), Some("length_weeks"));
        assert_eq!(guess("Length_Weeks"), Some("length_weeks"));
        assert_eq!(guess("tick_seconds"), Some("tick_secs"));
        assert_eq!(guess("backoff_ms"), None);
        assert_eq!(guess("colour"), None);
    }

    #[test]
    fn syntax_errors_are_all_reported() {
        let w = walk("f", "[cadence\nlength_weeks = \n", TOP);
        assert!(!w.parsed);
        assert!(w.problems.len() >= 2, "{:?}", w.problems);
    }
}
