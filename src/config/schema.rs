//! The shape of a config file: which keys each table takes, and of what
//! type, with an example for each fix. The walk (in `walk`) checks a parsed
//! file against it; serde stops at the first mistake, so it only sees what
//! the walk kept.

mod walk;

pub use walk::{Spans, Walked, syntax_error, walk};

/// One key a table takes.
pub struct Key {
    pub name: &'static str,
    pub shape: Shape,
    /// A value to show in a fix, written as TOML (`2`, `"UTC"`).
    pub example: &'static str,
}

/// What a key's value must be.
pub enum Shape {
    Str,
    /// A string from a fixed list.
    Choice(&'static [&'static str]),
    Int {
        min: i64,
        max: i64,
    },
    Bool,
    /// An array of strings.
    Strs,
    Table(&'static [Key]),
    /// An array of tables (`[[teams]]`).
    Tables(&'static [Key]),
    /// A table of names the user chooses, each a string (`[people]`).
    StrMap,
}

impl Key {
    pub const fn new(name: &'static str, shape: Shape, example: &'static str) -> Key {
        Key {
            name,
            shape,
            example,
        }
    }
    pub const fn str(name: &'static str, example: &'static str) -> Key {
        Key::new(name, Shape::Str, example)
    }
    pub const fn strs(name: &'static str, example: &'static str) -> Key {
        Key::new(name, Shape::Strs, example)
    }
    /// Any integer (what it means is checked later).
    pub const fn int(name: &'static str, example: &'static str) -> Key {
        Key::int_in(name, i64::MIN, i64::MAX, example)
    }
    pub const fn int_in(name: &'static str, min: i64, max: i64, example: &'static str) -> Key {
        Key::new(name, Shape::Int { min, max }, example)
    }
    pub const fn bool(name: &'static str, example: &'static str) -> Key {
        Key::new(name, Shape::Bool, example)
    }
    pub const fn table(name: &'static str, keys: &'static [Key]) -> Key {
        Key::new(name, Shape::Table(keys), "")
    }
    pub const fn tables(name: &'static str, keys: &'static [Key]) -> Key {
        Key::new(name, Shape::Tables(keys), "")
    }

    /// How to write this key, for a wrong-type fix.
    fn how(&self, path: &str) -> String {
        let n = self.name;
        match &self.shape {
            Shape::Str | Shape::Choice(_) => {
                format!("`{n}` must be a string, like `{n} = {}`", self.example)
            }
            Shape::Int { .. } => format!("`{n}` must be an integer, like `{n} = {}`", self.example),
            Shape::Bool => format!("`{n}` must be true or false, like `{n} = {}`", self.example),
            Shape::Strs => format!(
                "`{n}` must be an array of strings, like `{n} = {}`",
                self.example
            ),
            Shape::Table(_) => format!(
                "`{n}` must be a table: write `[{}]` on a line of its own, and its keys below it",
                unindexed(path)
            ),
            Shape::Tables(_) => format!(
                "`{n}` must be an array of tables: write `[[{}]]` above each entry",
                unindexed(path)
            ),
            Shape::StrMap => format!(
                "`{n}` must be a table of strings: write `[{}]` on a line of its own, then lines like {}",
                unindexed(path),
                self.example
            ),
        }
    }
}
/// How the table (below the top level) that takes a key `name` is written.
fn find_home(keys: &'static [Key], name: &str, path: &str) -> Option<String> {
    for key in keys {
        let (Shape::Table(inner) | Shape::Tables(inner)) = &key.shape else {
            continue;
        };
        let here = join(path, key.name);
        if inner.iter().any(|k| k.name == name) {
            return Some(match key.shape {
                Shape::Tables(_) => format!("[[{here}]]"),
                _ => format!("[{here}]"),
            });
        }
        if let Some(found) = find_home(inner, name, &here) {
            return Some(found);
        }
    }
    None
}

/// The known name closest to `word`, when it is close enough to be a typo
/// (a few letters off) or a longer spelling of it (`tick_seconds` for
/// `tick_secs`).
pub fn closest<'k>(word: &str, known: impl Iterator<Item = &'k str> + Clone) -> Option<&'k str> {
    let word = word.to_lowercase();
    let typo = known
        .clone()
        .map(|k| (strsim::damerau_levenshtein(&word, &k.to_lowercase()), k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4) && *d < k.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k);
    typo.or_else(|| {
        let shared = |k: &str| {
            let k = k.to_lowercase();
            let common = word
                .chars()
                .zip(k.chars())
                .take_while(|(a, b)| a == b)
                .count();
            common >= 4 && common * 3 >= 2 * k.len().min(word.len())
        };
        let mut alike = known.filter(|k| shared(k));
        // Only when one name fits: two would be a guess.
        match (alike.next(), alike.next()) {
            (Some(k), None) => Some(k),
            _ => None,
        }
    })
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// `teams[1].members` → `teams.members`.
fn unindexed(path: &str) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for c in path.chars() {
        match c {
            '[' => skipping = true,
            ']' => skipping = false,
            c if !skipping => out.push(c),
            _ => {}
        }
    }
    out
}

/// How a table is written in the file: `[cadence]`, `[[teams]]`.
fn table_name(path: &str) -> String {
    if path.ends_with(']') {
        format!("[[{}]]", unindexed(path))
    } else {
        format!("[{path}]")
    }
}

fn with_article(type_name: &str) -> String {
    match type_name {
        "integer" | "array" => format!("an {type_name}"),
        "boolean" => "a boolean (true or false)".to_string(),
        _ => format!("a {type_name}"),
    }
}
