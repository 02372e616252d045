//! A layout's issue and team templates: each declared section becomes its
//! heading, its guidance line and, for the sections sprintbot keeps, the
//! marker lines around the template variable that holds its items. The
//! headings and lines come from a repository's config, so they are
//! escaped for minijinja (no `{` of theirs opens a tag) and can never
//! write a marker line.

use super::{Decl, Kind, Layout};

/// Text from a config made inert in a template: every `{` is written by an
/// expression, and a line that would be a sprintbot marker is escaped.
fn inert(text: &str) -> String {
    text.lines()
        .map(|l| {
            let l = if l.trim_start().starts_with("<!-- sprintbot") {
                l.replacen('<', "&lt;", 1)
            } else {
                l.to_string()
            };
            l.replace('{', "{{ \"{\" }}")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn heading(d: &Decl) -> String {
    if d.heading.trim().is_empty() {
        return String::new();
    }
    let hashes = "#".repeat(usize::from(d.level.min(6)));
    let sep = if hashes.is_empty() { "" } else { " " };
    format!("{hashes}{sep}{}\n\n", inert(d.heading.trim()))
}

fn guidance(d: &Decl) -> String {
    if d.text.trim().is_empty() {
        String::new()
    } else {
        format!("{}\n\n", inert(d.text.trim_end()))
    }
}

fn marked(d: &Decl, var: &str) -> String {
    let name = d.kind.section().map(|s| s.name()).unwrap_or_default();
    format!(
        "{}{}<!-- sprintbot:{name}:start -->\n{{{{ {var} }}}}<!-- sprintbot:{name}:end -->\n\n",
        heading(d),
        guidance(d)
    )
}

/// The issue template of a layout whose body is declared.
pub fn issue_template(layout: &Layout) -> String {
    let mut out = String::from("{{ metadata }}\n");
    for d in &layout.body {
        out.push_str(&match d.kind {
            Kind::Goals => marked(d, "goals"),
            Kind::Risks => marked(d, "risks"),
            Kind::RetroGoals => marked(d, "retro_goals"),
            Kind::Retro => marked(d, "retro"),
            Kind::Heroes => marked(d, "heroes"),
            Kind::Off => marked(d, "off"),
            Kind::Notes => marked(d, "notes"),
            Kind::Previous => {
                "{% if previous_issue %}Previous sprint: #{{ previous_issue }}\n\n{% endif %}".into()
            }
            Kind::Shipped => "{% if shipped %}{{ shipped }}\n{% endif %}".into(),
            Kind::Health => "{% if health %}{{ health }}\n{% endif %}".into(),
            Kind::Teams => {
                let goals = if layout.body_has(Kind::Goals) {
                    "Add goals with `/goal <title> @owner why: <reason>` in a comment; `/sprint help` lists every command."
                } else {
                    "`/sprint help` in a comment lists every command."
                };
                format!(
                    "{}For your team sprint planning, use your team's comment below ({{{{ teams | join(\", \") }}}}): tick what is done; unticked items roll over to the next sprint.\n\n{goals}\n\n",
                    heading(d)
                )
            }
            _ => format!("{}{}", heading(d), guidance(d)),
        });
    }
    finish(out)
}

/// The team comment template of a layout whose team sections are declared.
pub fn team_template(layout: &Layout) -> String {
    let mut out = String::from("{{ marker }}\n");
    let has_hang_over = layout.team.iter().any(|d| d.kind == Kind::HangOver);
    let has_tasks = layout.team.iter().any(|d| d.kind == Kind::Tasks);
    let mut first_priority = true;
    for (i, d) in layout.team.iter().enumerate() {
        let done = "{% for item in done %}- {{ item }}\n{% endfor %}";
        out.push_str(&match d.kind {
            Kind::Title => {
                let hashes = "#".repeat(usize::from(d.level.min(6)));
                let sep = if hashes.is_empty() { "" } else { " " };
                format!("{hashes}{sep}{} {{{{ team.name }}}}\n\n", inert(d.heading.trim()))
            }
            Kind::Legend => "{% if legend %}{{ legend }}\n\n{% endif %}".into(),
            Kind::Hero | Kind::Off if d.level == 0 => {
                let var = if d.kind == Kind::Hero { "hero" } else { "off" };
                let next_is_line = layout
                    .team
                    .get(i + 1)
                    .is_some_and(|n| matches!(n.kind, Kind::Hero | Kind::Off) && n.level == 0);
                let gap = if next_is_line { "" } else { "\n" };
                format!("**{}:** {{{{ {var} }}}}\n{gap}", inert(d.heading.trim()))
            }
            Kind::Hero => format!("{}{{{{ hero }}}}\n\n", heading(d)),
            Kind::Off => format!("{}{{{{ off }}}}\n\n", heading(d)),
            Kind::QuarterGoals => format!(
                "{}{{% if quarter_goals %}}{{{{ quarter_goals }}}}\n\n{{% else %}}{}{{% endif %}}",
                heading(d),
                guidance(d)
            ),
            Kind::TeamRetro if has_tasks => format!("{}{}", heading(d), guidance(d)),
            Kind::TeamRetro | Kind::Tasks => {
                format!("{}{}{done}- \n\n", heading(d), guidance(d))
            }
            Kind::HangOver => format!(
                "{}{}{{% for item in hang_overs %}}- [ ] {{{{ item }}}}\n{{% else %}}- None\n{{% endfor %}}\n",
                heading(d),
                guidance(d)
            ),
            Kind::Priority => {
                let carried = if first_priority && !has_hang_over {
                    "{% for item in hang_overs %}- [ ] {{ item }}\n{% endfor %}"
                } else {
                    ""
                };
                first_priority = false;
                format!("{}{}{carried}-\n\n", heading(d), guidance(d))
            }
            Kind::Impacted => format!("{}{}-\n\n", heading(d), guidance(d)),
            _ => format!("{}{}", heading(d), guidance(d)),
        });
    }
    finish(out)
}

/// One newline at the end: rendering adds the last one back.
fn finish(mut out: String) -> String {
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}
