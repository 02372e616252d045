//! The one redaction of URLs, for everything that could print one: Debug
//! impls, errors, logs, `check-config` output. A URL may carry a secret in
//! two places: its userinfo (`postgres://user:secret@host/db`) and its query
//! (`?password=secret`, `sslpassword`, `token`, ...; libpq reads any
//! connection parameter from the query). Both are replaced by `***`; the
//! rest stays, so a reader still sees which server and which user.

/// Query parameters whose value is a secret: any whose name (in any case)
/// contains one of these.
const SECRET_PARAMS: [&str; 6] = ["password", "passwd", "pwd", "token", "secret", "key"];

/// `url` with the password of its userinfo and the values of its secret
/// query parameters replaced by `***`. Text that is not a URL is returned
/// as it is (a file path, say); a URL whose userinfo cannot be told from
/// its host loses its whole userinfo rather than risk printing a password.
pub fn redact_url(url: &str) -> String {
    let (head, fragment) = match url.split_once('#') {
        Some((h, f)) => (h, Some(f)),
        None => (url, None),
    };
    let (base, query) = match head.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (head, None),
    };
    let mut out = redact_userinfo(base);
    if let Some(q) = query {
        out.push('?');
        out.push_str(&redact_query(q));
    }
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(&redact_query(f));
    }
    out
}

/// `scheme://user:secret@host/path` → `scheme://user:***@host/path`.
fn redact_userinfo(base: &str) -> String {
    let Some((scheme, rest)) = base.split_once("://") else {
        return base.to_string();
    };
    // A password may hold `@` or even `/`: the userinfo ends at the last
    // `@` (a path with an `@` in it is over-redacted at worst).
    let Some((userinfo, host)) = rest.rsplit_once('@') else {
        return base.to_string();
    };
    let user = match userinfo.split_once(':') {
        Some((user, _)) => format!("{user}:***"),
        None => userinfo.to_string(),
    };
    format!("{scheme}://{user}@{host}")
}

fn is_secret_param(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SECRET_PARAMS.iter().any(|s| name.contains(s))
}

fn redact_query(query: &str) -> String {
    query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if is_secret_param(&percent_decoded(name)) => format!("{name}=***"),
            _ => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// A query parameter's name as a server reads it (`pass%77ord` is
/// `password`), so an encoded name cannot slip past.
fn percent_decoded(name: &str) -> String {
    let bytes = name.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b'+', _, _) => {
                out.push(b' ');
                i += 1;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn userinfo_passwords_are_redacted() {
        assert_eq!(
            redact_url("postgres://bot:s3cret@db:5432/sprintbot"),
            "postgres://bot:***@db:5432/sprintbot"
        );
        assert_eq!(
            redact_url("postgresql://bot:p@ss@db/sprintbot"),
            "postgresql://bot:***@db/sprintbot"
        );
        assert_eq!(
            redact_url("https://x-access-token:ghs_abc@ghe.example/api/v3"),
            "https://x-access-token:***@ghe.example/api/v3"
        );
        assert_eq!(
            redact_url("postgres://bot:a/b@db/x"),
            "postgres://bot:***@db/x"
        );
        // A user without a password, and a path with an `@`, stay.
        assert_eq!(redact_url("postgres://bot@db/x"), "postgres://bot@db/x");
        assert_eq!(redact_url("https://h/a@b"), "https://h/a@b");
    }

    #[test]
    fn secret_query_parameters_are_redacted() {
        assert_eq!(
            redact_url("postgres://bot@db/x?password=hunter2&sslmode=require"),
            "postgres://bot@db/x?password=***&sslmode=require"
        );
        assert_eq!(
            redact_url("postgres://db/x?sslmode=require&sslpassword=k3y&user=bot"),
            "postgres://db/x?sslmode=require&sslpassword=***&user=bot"
        );
        assert_eq!(
            redact_url("https://h/p?access_token=abc&Token=def&PASSWORD=ghi"),
            "https://h/p?access_token=***&Token=***&PASSWORD=***"
        );
        assert_eq!(
            redact_url("postgres://db/x?pass%77ord=hunter2"),
            "postgres://db/x?pass%77ord=***"
        );
        assert_eq!(
            redact_url("postgres://u:a@db/x?password=b#token=c"),
            "postgres://u:***@db/x?password=***#token=***"
        );
    }

    #[test]
    fn text_that_is_no_url_is_left_alone() {
        assert_eq!(redact_url("sprintbot.db"), "sprintbot.db");
        assert_eq!(redact_url("/var/lib/sprintbot.db"), "/var/lib/sprintbot.db");
        assert_eq!(redact_url(""), "");
    }

    #[test]
    fn the_storage_config_prints_its_url_redacted() {
        let storage = crate::config::deploy::StorageConfig {
            url: "postgres://bot:hunter2@db/x?sslpassword=k3y".into(),
            ..Default::default()
        };
        let printed = format!("{storage:?} {}", storage.redacted_url());
        assert!(
            !printed.contains("hunter2") && !printed.contains("k3y"),
            "{printed}"
        );
        assert!(
            printed.contains("postgres://bot:***@db/x?sslpassword=***"),
            "{printed}"
        );
    }
}
