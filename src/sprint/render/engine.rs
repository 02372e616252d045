//! The template engine sprintbot renders with: strict undefined variables,
//! fuel, the source limits checked first (`limits`), the render on a
//! thread of its own (`isolate`), and minijinja's errors sorted into the
//! kinds a config check can write a fix for.

use minijinja::{Environment, ErrorKind, UndefinedBehavior, Value};

use super::{TemplateError, TemplateProblem, isolate, limits};
/// How many template instructions one render may run. The default issue
/// body for 50 teams needs under 2,000; a template that loops for
/// minutes (a pull request from a fork is validated by rendering it) runs
/// out and is reported as not rendering.
const FUEL: u64 = 200_000;

/// The most a render may write, in bytes, so a loop of large strings fails
/// at once instead of filling memory. Well above GitHub's body limit:
/// lists are rendered whole and then cut to fit (`moving::fit`), and a
/// nudge of 3,000 teams renders about 300 KB before it is cut.
pub const MAX_OUTPUT_BYTES: usize = 4 * 1024 * 1024;

fn env() -> Environment<'static> {
    let mut env = Environment::new();
    // A misspelled variable must be an error, not an empty title.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(FUEL));
    env
}

/// Render template `which` (as named in errors) from `source`. The source is
/// checked against `limits` first, then parsed and rendered on a render
/// thread (`isolate`), so no template can take the process down.
pub(crate) fn render_template(
    which: &'static str,
    source: &str,
    ctx: Value,
) -> Result<String, TemplateError> {
    if let Err(e) = limits::check(source) {
        return Err(TemplateError {
            which,
            message: format!("{} (line {}, column {})", e.message, e.line, e.column),
            problem: TemplateProblem::OverLimit {
                line: e.line,
                column: e.column,
            },
        });
    }
    let source = source.to_string();
    isolate::run(move || render_isolated(which, &source, ctx)).unwrap_or_else(|failure| {
        let message = match failure {
            isolate::Failure::TimedOut => format!(
                "it did not finish within {} seconds",
                isolate::TIME_LIMIT.as_secs()
            ),
            isolate::Failure::Panicked => "the template engine failed on it".to_string(),
            isolate::Failure::NoThread => {
                "no thread could be started to render it; try again later".to_string()
            }
        };
        Err(TemplateError {
            which,
            message,
            problem: TemplateProblem::Other { line: None },
        })
    })
}

fn render_isolated(which: &'static str, source: &str, ctx: Value) -> Result<String, TemplateError> {
    let env = env();
    let failed = |e: minijinja::Error, problem| TemplateError {
        which,
        message: match e.detail() {
            Some(detail) => format!("{detail} (line {} of the template)", e.line().unwrap_or(1)),
            None => e.to_string(),
        },
        problem,
    };
    let template = env.template_from_str(source).map_err(|e| {
        let line = e.line();
        failed(e, TemplateProblem::Syntax { line })
    })?;
    // Names are checked before rendering so that a misspelling in a branch
    // this context does not take (`{% if previous_issue %}`) is caught too.
    let top: Vec<String> = keys(&ctx);
    let globals: Vec<&str> = env.globals().map(|(name, _)| name).collect();
    let mut names: Vec<String> = template
        .undeclared_variables(false)
        .into_iter()
        .filter(|n| !top.contains(n) && !globals.contains(&n.as_str()))
        .collect();
    names.sort();
    let available = variables(&ctx);
    if !names.is_empty() {
        return Err(TemplateError {
            which,
            message: format!(
                "{} not defined; it has {}",
                quoted(&names, if names.len() == 1 { " is" } else { " are" }),
                quoted(&available, "")
            ),
            problem: TemplateProblem::Undefined { names, available },
        });
    }
    let mut out = Bounded(Vec::new());
    match template.render_captured_to(ctx, &mut out) {
        Ok(_) => Ok(String::from_utf8_lossy(&out.0).into_owned()),
        Err(_) if out.0.len() > MAX_OUTPUT_BYTES => Err(TemplateError {
            which,
            message: format!("it writes more than {MAX_OUTPUT_BYTES} bytes"),
            problem: TemplateProblem::Other { line: None },
        }),
        Err(e) => {
            let line = e.line();
            let problem = match e.kind() {
                ErrorKind::SyntaxError => TemplateProblem::Syntax { line },
                // An attribute the value lacks (`{{ team.nmae }}`): minijinja's
                // message names it.
                ErrorKind::UndefinedError => TemplateProblem::Undefined {
                    names: Vec::new(),
                    available: available.clone(),
                },
                _ => TemplateProblem::Other { line },
            };
            Err(failed(e, problem))
        }
    }
}

/// A buffer that refuses to grow past `MAX_OUTPUT_BYTES` (it keeps one
/// byte more, so the caller can tell this refusal from other errors).
struct Bounded(Vec<u8>);

impl std::io::Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let room = MAX_OUTPUT_BYTES + 1 - self.0.len().min(MAX_OUTPUT_BYTES + 1);
        self.0.extend_from_slice(&buf[..buf.len().min(room)]);
        if buf.len() > room {
            return Err(std::io::Error::other("template output too long"));
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn keys(v: &Value) -> Vec<String> {
    match v.try_iter() {
        Ok(keys) => keys.filter_map(|k| k.as_str().map(String::from)).collect(),
        Err(_) => Vec::new(),
    }
}

/// Every variable of a context, with the attributes of those that are
/// maps (`team.name`), sorted: what a fix lists.
fn variables(ctx: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for key in keys(ctx) {
        match ctx.get_attr(&key) {
            Ok(v) if v.kind() == minijinja::value::ValueKind::Map => {
                out.extend(keys(&v).into_iter().map(|k| format!("{key}.{k}")))
            }
            _ => out.push(key),
        }
    }
    out.sort();
    out
}

/// `a`, `b` and `c` followed by `tail`.
fn quoted(names: &[String], tail: &str) -> String {
    let q: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    let list = match q.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => q.join(""),
    };
    format!("{list}{tail}")
}
