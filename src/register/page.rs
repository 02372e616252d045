//! The local side of the manifest flow: a one-page form that posts the
//! manifest to GitHub, and the callback GitHub's redirect comes back to.
//! The callback takes a code only with the `state` this flow put in the
//! form, so another site cannot push its own App's code into it, and it
//! exchanges one code at most.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use subtle::ConstantTimeEq as _;
use tokio::sync::oneshot;

use super::output::Output;
use super::{RegisterError, Registered, convert};

/// What the two pages share.
pub(super) struct Flow {
    /// GitHub's "new App" page, with the state in its query.
    pub form_action: String,
    pub manifest: String,
    pub state: String,
    pub api_url: String,
    pub output: Output,
    /// Taken by the first callback with the right state.
    pub done: Mutex<Option<oneshot::Sender<Result<Registered, RegisterError>>>>,
}

pub(super) fn router(flow: Arc<Flow>) -> Router {
    Router::new()
        .route("/", get(form))
        .route("/callback", get(callback))
        .layer(axum::middleware::from_fn(loopback_only))
        .with_state(flow)
}

/// Whether `host` (a `Host` header, or the host of an `Origin`) names this
/// machine by a loopback name: `localhost`, `127.0.0.1` or `[::1]`, with or
/// without a port.
pub(super) fn is_loopback_host(host: &str) -> bool {
    let (name, port) = match host.strip_prefix('[') {
        Some(rest) => {
            let Some((ip, after)) = rest.split_once(']') else {
                return false;
            };
            let port = match after {
                "" => None,
                p => match p.strip_prefix(':') {
                    Some(p) => Some(p),
                    None => return false,
                },
            };
            (format!("[{ip}]"), port)
        }
        None => match host.split_once(':') {
            Some((n, p)) => (n.to_string(), Some(p)),
            None => (host.to_string(), None),
        },
    };
    let port_ok =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    port_ok && (name.eq_ignore_ascii_case("localhost") || name == "127.0.0.1" || name == "[::1]")
}

/// Whether an `Origin` header is this machine: `http://` and a loopback
/// host (`null`, sent by sandboxed and privacy-sensitive contexts, is not).
pub(super) fn is_loopback_origin(origin: &str) -> bool {
    origin
        .strip_prefix("http://")
        .is_some_and(|host| !host.contains('/') && is_loopback_host(host))
}

/// Answer only requests made to this machine by a loopback name. Another
/// name (say `evil.example`, made to resolve to 127.0.0.1: DNS rebinding)
/// would let a page the operator visits read the form's state and finish
/// the flow with its own App's code; a cross-site `Origin` likewise.
async fn loopback_only(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let headers = req.headers();
    let header = |name| {
        headers
            .get(name)
            .map(|v: &axum::http::HeaderValue| v.to_str().unwrap_or("\u{fffd}").to_string())
    };
    let (host, origin) = (
        header(axum::http::header::HOST),
        header(axum::http::header::ORIGIN),
    );
    let host_ok = host.as_deref().is_some_and(is_loopback_host);
    let origin_ok = origin.as_deref().is_none_or(is_loopback_origin);
    if host_ok && origin_ok {
        return next.run(req).await;
    }
    eprintln!(
        "warning: refused a request to the registration page made by another name than this machine's (Host {:?}, Origin {:?})",
        host.as_deref().unwrap_or("none"),
        origin.as_deref().unwrap_or("none"),
    );
    refuse(
        StatusCode::FORBIDDEN,
        "This page answers only when it is opened as http://127.0.0.1, http://localhost or http://[::1] on this machine, from this machine's own pages. Open the address `sprintbot register` printed in the terminal. Nothing was done.",
    )
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t} · sprintbot</title>\n<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem}}pre{{background:#f6f8fa;padding:1rem;overflow:auto;font-size:13px}}button{{font-size:1.1rem;padding:.6rem 1.2rem}}</style></head>\n<body><h1>{t}</h1>\n{body}\n</body></html>\n",
        t = escape(title)
    )
}

async fn form(State(flow): State<Arc<Flow>>) -> Html<String> {
    let body = format!(
        "<p>This creates sprintbot's GitHub App from the manifest below. GitHub shows you what it asks for before anything is created; you can change the name there.</p>\n<form id=\"create\" method=\"post\" action=\"{action}\">\n<input type=\"hidden\" name=\"manifest\" value=\"{manifest}\">\n<button id=\"submit\" type=\"submit\">Create the GitHub App on GitHub</button>\n</form>\n<h2>Manifest</h2>\n<pre>{shown}</pre>",
        action = escape(&flow.form_action),
        manifest = escape(&flow.manifest),
        shown = escape(&flow.manifest),
    );
    Html(page("Create sprintbot's GitHub App", &body))
}

fn refuse(status: StatusCode, why: &str) -> Response {
    (
        status,
        Html(page("Refused", &format!("<p>{}</p>", escape(why)))),
    )
        .into_response()
}

async fn callback(
    State(flow): State<Arc<Flow>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let state_ok = query
        .get("state")
        .is_some_and(|s| bool::from(s.as_bytes().ct_eq(flow.state.as_bytes())));
    if !state_ok {
        eprintln!(
            "warning: refused a callback without this flow's state: it did not come from GitHub's page opened here"
        );
        return refuse(
            StatusCode::BAD_REQUEST,
            "This callback does not carry the state sprintbot put in its form, so it did not come from the page this `sprintbot register` opened. Nothing was done.",
        );
    }
    let Some(code) = query.get("code").filter(|c| !c.is_empty()) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "GitHub's redirect carried no code. Start again with `sprintbot register`.",
        );
    };
    let Some(done) = flow.done.lock().unwrap_or_else(|e| e.into_inner()).take() else {
        return refuse(
            StatusCode::CONFLICT,
            "This flow has already received its code; see the terminal where `sprintbot register` runs.",
        );
    };
    let result = finish(&flow, code).await;
    let reply = match &result {
        Ok(r) => (
            StatusCode::OK,
            Html(page(
                "GitHub App created",
                &format!(
                    "<p>The App <a href=\"{app}\">{name}</a> exists, and its credentials are in <code>{env}</code>.</p>\n<p><a id=\"install\" href=\"{install}\">Install it</a> on the repositories that should run sprints. The terminal has the next steps.</p>",
                    app = escape(&r.html_url),
                    name = escape(&r.name),
                    env = escape(&r.env_file.display().to_string()),
                    install = escape(&r.install_url),
                ),
            )),
        )
            .into_response(),
        Err(e) => refuse(StatusCode::BAD_GATEWAY, &e.to_string()),
    };
    let _ = done.send(result);
    reply
}

async fn finish(flow: &Flow, code: &str) -> Result<Registered, RegisterError> {
    let app = convert::exchange(&flow.api_url, code).await?;
    flow.output.write(&app, &flow.api_url)?;
    Ok(Registered {
        app_id: app.id,
        install_url: format!("{}/installations/new", app.html_url.trim_end_matches('/')),
        slug: app.slug,
        name: app.name,
        html_url: app.html_url,
        env_file: flow.output.env_file.clone(),
        key_file: flow.output.key_file.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_names_are_this_machine() {
        for ok in [
            "127.0.0.1:8080",
            "127.0.0.1",
            "localhost:3000",
            "LOCALHOST",
            "[::1]:9",
            "[::1]",
        ] {
            assert!(is_loopback_host(ok), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:8080",
            "localhost.evil.example",
            "127.0.0.1.nip.io:80",
            "127.0.0.2:80",
            "0.0.0.0:80",
            "[::2]:80",
            "[::1]x",
            "localhost:",
            "localhost:80:80",
            "localhost:abc",
            "",
        ] {
            assert!(!is_loopback_host(bad), "{bad}");
        }
    }

    #[test]
    fn only_loopback_origins_are_this_machine() {
        assert!(is_loopback_origin("http://127.0.0.1:4000"));
        assert!(is_loopback_origin("http://localhost"));
        assert!(is_loopback_origin("http://[::1]:4000"));
        for bad in [
            "null",
            "https://evil.example",
            "http://evil.example",
            "http://127.0.0.1:4000/x",
            "http://127.0.0.1@evil.example",
        ] {
            assert!(!is_loopback_origin(bad), "{bad}");
        }
    }
}
