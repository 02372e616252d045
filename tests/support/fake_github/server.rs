//! The fake's HTTP plumbing: authentication (App JWTs checked with the
//! test key, installation and plain tokens), the request log and the
//! OpenAPI check, injected faults, pagination `Link` headers, and the
//! answer's rate-limit headers.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State as AxumState};
use axum::response::Response;
use http_body_util::BodyExt;
use jiff::Timestamp;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;

use super::state::{AuthKind, FaultKind, Recorded, State};
use super::{APP_ID, Inner, PUBLIC_KEY, github_time, openapi, responses, routes};

fn authenticate(state: &mut State, header: Option<&str>, now: Timestamp) -> AuthKind {
    let Some(header) = header else {
        return AuthKind::None;
    };
    if let Some(jwt) = header.strip_prefix("Bearer ") {
        let key = DecodingKey::from_rsa_pem(PUBLIC_KEY.as_bytes()).unwrap();
        let mut v = Validation::new(Algorithm::RS256);
        // Expiry is checked against the fake's clock, not the wall clock.
        v.validate_exp = false;
        v.required_spec_claims.clear();
        // The fixed test App, and any created through the manifest flow
        // (the fake hands them the same key).
        let apps: Vec<String> = std::iter::once(APP_ID)
            .chain(state.manifests.created_ids())
            .map(|id| id.to_string())
            .collect();
        v.set_issuer(&apps);
        #[derive(serde::Deserialize)]
        struct Claims {
            iat: i64,
            exp: i64,
        }
        return match jsonwebtoken::decode::<Claims>(jwt, &key, &v) {
            Ok(t)
                if t.claims.exp > now.as_second()
                    && t.claims.iat <= now.as_second()
                    && t.claims.exp - t.claims.iat <= 600 =>
            {
                AuthKind::Jwt
            }
            _ => super::app_auth::classify(jwt, &apps),
        };
    }
    let Some(token) = header.strip_prefix("token ") else {
        return AuthKind::Invalid;
    };
    if state.plain_tokens.iter().any(|(t, _)| t == token) {
        return AuthKind::Token(0);
    }
    match state.tokens.get(token) {
        Some((inst, expires)) if *expires > now => AuthKind::Token(*inst),
        _ => AuthKind::Invalid,
    }
}

pub(super) async fn handle(AxumState(inner): AxumState<Arc<Inner>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let body: Option<Value> = if bytes.is_empty() {
        None
    } else {
        serde_json::from_slice(&bytes).ok()
    };
    let method = parts.method.as_str().to_string();
    if let Some(page) = super::manifest::web_page(&inner, &method, &parts.uri, &bytes) {
        return page;
    }
    let full_path = parts.uri.path().to_string();
    let query_str = parts.uri.query().unwrap_or("").to_string();
    let now = inner.clock.now();
    // GitHub Enterprise serves GraphQL beside, not under, its REST prefix.
    let graphql_beside = !inner.prefix.is_empty() && full_path == "/api/graphql";
    let stripped = if graphql_beside {
        Some(full_path.clone())
    } else {
        full_path.strip_prefix(&inner.prefix).map(str::to_string)
    };
    let Some(path) = stripped else {
        return reply(404, &responses::error("Not Found"), &[]);
    };
    let path = if path.is_empty() {
        "/".to_string()
    } else {
        path
    };
    let auth_header = parts
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok());
    let if_none_match = parts
        .headers
        .get("if-none-match")
        .and_then(|v| v.to_str().ok())
        .map(String::from);

    let (fault, auth) = {
        let mut s = inner.state.lock().unwrap();
        let auth = authenticate(&mut s, auth_header, now);
        s.requests.push(Recorded {
            method: method.clone(),
            path: path.clone(),
            query: query_str.clone(),
            body: body.clone(),
            auth: auth.clone(),
            at: now,
            conditional: if_none_match.is_some(),
        });
        let graphql = path == "/graphql" || path == "/api/graphql";
        if !graphql && let Some(v) = openapi::violation(&method, &path, body.as_ref()) {
            s.violations.push(v);
        }
        // An outage: every write fails until the given instant.
        let outage = match s.writes_fail_until {
            Some((until, status)) if method != "GET" && now < until => Some(FaultKind::Status {
                status,
                headers: Vec::new(),
            }),
            _ => None,
        };
        (outage.or_else(|| s.take_fault(&method, &path)), auth)
    };
    match &fault {
        Some(FaultKind::Status { status, headers }) => {
            let hs: Vec<(&str, &str)> = headers
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            return reply(*status, &responses::error("injected fault"), &hs);
        }
        Some(FaultKind::Mutate(change)) => {
            // Something a person does on GitHub at this very moment.
            change(&mut inner.state.lock().unwrap());
        }
        Some(FaultKind::Drop) => {
            let stream = futures_util::stream::once(async {
                Err::<bytes::Bytes, _>(std::io::Error::other("dropped by the fake"))
            });
            return Response::builder()
                .status(200)
                .header("content-length", "1000")
                .body(Body::from_stream(stream))
                .unwrap();
        }
        _ => {}
    }
    let response = {
        let mut s = inner.state.lock().unwrap();
        let actor = match &auth {
            AuthKind::Token(0) => {
                let token = auth_header
                    .and_then(|h| h.strip_prefix("token "))
                    .unwrap_or("");
                s.plain_tokens
                    .iter()
                    .find(|(t, _)| t == token)
                    .map(|(_, login)| login.clone())
                    .unwrap_or_default()
            }
            _ => super::BOT_LOGIN.to_string(),
        };
        route(
            &mut s,
            &inner,
            Incoming {
                method: &method,
                path: &path,
                query: &query_str,
                body,
                auth,
                app_jwt: auth_header
                    .and_then(|h| h.strip_prefix("Bearer "))
                    .and_then(super::app_auth::issuer),
                actor,
                if_none_match,
                now,
            },
        )
    };
    if let Some(FaultKind::DelayAfter(d)) = fault {
        tokio::time::sleep(d).await;
    }
    // Redeliveries asked for go out once the request is answered.
    let resend = !inner.state.lock().unwrap().hooks.outbox.is_empty();
    if resend {
        let fake = super::FakeGitHub {
            inner: inner.clone(),
        };
        tokio::spawn(async move { fake.flush_redeliveries().await });
    }
    response
}

/// One request, parsed.
struct Incoming<'a> {
    method: &'a str,
    path: &'a str,
    query: &'a str,
    body: Option<Value>,
    auth: AuthKind,
    /// The `iss` of the App JWT it carried, if any.
    app_jwt: Option<String>,
    /// The login the credentials act as.
    actor: String,
    if_none_match: Option<String>,
    now: Timestamp,
}

fn route(s: &mut State, inner: &Inner, i: Incoming<'_>) -> Response {
    let Incoming {
        method,
        path,
        query,
        body,
        auth,
        app_jwt,
        actor,
        if_none_match,
        now,
    } = i;
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    if let Some(r) = super::manifest::conversion(s, method, &segments) {
        return reply(r.status, &r.body, &[]);
    }
    // App-level endpoints need the App JWT; everything else a token.
    if segments.first() == Some(&"app") {
        if auth != AuthKind::Jwt {
            return super::app_auth::refused(&auth);
        }
        // An App created through the manifest flow asks about itself.
        if method == "GET"
            && segments == ["app"]
            && let Some(app) = app_jwt
                .and_then(|iss| iss.parse().ok())
                .and_then(|id| s.manifests.created_app(id))
        {
            return reply(200, &app, &[]);
        }
        if let ["app", "installations", id, "access_tokens"] = segments.as_slice() {
            let Some(inst) = id
                .parse::<u64>()
                .ok()
                .filter(|i| s.installations.iter().any(|(x, _, _)| x == i))
            else {
                return reply(404, &responses::error("Not Found"), &[]);
            };
            if s.suspended.contains(&inst) {
                return reply(
                    403,
                    &responses::error("This installation has been suspended"),
                    &[],
                );
            }
            s.tokens_issued += 1;
            let token = format!("ghs_fake_{inst}_{}", s.tokens_issued);
            let expires = now.checked_add(s.token_ttl).unwrap();
            s.tokens.insert(token.clone(), (inst, expires));
            let exp = Timestamp::from_second(expires.as_second())
                .unwrap()
                .to_string();
            return reply(201, &responses::access_token(&token, &exp), &[]);
        }
    } else if !matches!(auth, AuthKind::Token(_)) {
        return reply(401, &responses::error("Bad credentials"), &[]);
    }
    let installation = if let AuthKind::Token(i) = auth { i } else { 0 };
    if s.suspended.contains(&installation) {
        return reply(
            403,
            &responses::error("This installation has been suspended"),
            &[],
        );
    }
    if let Some(reset) = s.rate_limited.get(&installation).copied() {
        if reset > now {
            super::limits::primary_refused(s, installation, method, path, now, reset);
            let reset = reset.as_second().to_string();
            return reply(
                403,
                &responses::error("API rate limit exceeded for installation."),
                &[
                    ("x-ratelimit-remaining", "0"),
                    ("x-ratelimit-reset", &reset),
                ],
            );
        }
        s.rate_limited.remove(&installation);
    }
    if let Some(refused) = super::limits::check(s, installation, method, path, now) {
        return refused;
    }
    if path == "/graphql" || path == "/api/graphql" {
        let r = routes::graphql(s, &body.unwrap_or(Value::Null));
        return reply(r.status, &r.body, &[]);
    }
    let q: HashMap<String, String> = query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), percent_decode(v)))
        .collect();
    let r = routes::rest(
        s,
        routes::Req {
            method,
            segments,
            query: q.clone(),
            body,
            installation,
            actor,
            if_none_match,
            now: github_time(now),
        },
    );
    // A `Link` a route wrote names the base as {BASE}.
    let base_url = inner.base_url.lock().unwrap().clone();
    let own_headers: Vec<(&str, String)> = r
        .headers
        .iter()
        .map(|(k, v)| (*k, v.replace("{BASE}", &base_url)))
        .collect();
    let mut headers: Vec<(&str, &str)> =
        own_headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let link;
    if let Some((page, per_page, total)) = r.page
        && page * per_page < total
    {
        let base = inner.base_url.lock().unwrap().clone();
        let mut q = q;
        q.insert("page".into(), (page + 1).to_string());
        q.insert("per_page".into(), per_page.to_string());
        let mut pairs: Vec<String> = q.iter().map(|(k, v)| format!("{k}={v}")).collect();
        pairs.sort();
        let last = total.div_ceil(per_page);
        link = format!(
            "<{base}{path}?{}>; rel=\"next\", <{base}{path}?page={last}>; rel=\"last\"",
            pairs.join("&")
        );
        headers.push(("link", link.as_str()));
    }
    reply(r.status, &r.body, &headers)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len() + 1
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(super) fn reply(status: u16, body: &Value, headers: &[(&str, &str)]) -> Response {
    let mut b = Response::builder()
        .status(status)
        .header("content-type", "application/json; charset=utf-8")
        .header("x-ratelimit-limit", "5000");
    if !headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("x-ratelimit-remaining"))
    {
        b = b.header("x-ratelimit-remaining", "4999");
    }
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    if status == 304 || status == 204 {
        return b.body(Body::empty()).unwrap();
    }
    b.body(Body::from(body.to_string())).unwrap()
}
