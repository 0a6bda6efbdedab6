//! Access to the management port: one check, applied as a layer to every route of
//! [`crate::admin::serve`] (so routes added later are covered too).
//!
//! * A token is configured by the tc-property `l2.management.token` or the environment variable
//!   `KILN_MANAGEMENT_TOKEN` (the environment wins). With a token, every *action* (any method but
//!   `GET`/`HEAD`: `POST /stop`, `/dgc`, the console's actions, the profiler switch) needs it, as
//!   `Authorization: Bearer <token>` or `?token=<token>`: missing → 401, wrong → 403.
//! * `l2.management.token.all=true` makes every route (the console page, `/status`, `/metrics`,
//!   the JSON API, the event stream) need the token as well.
//! * No token configured (the default, so the existing scripts and tests keep working): reads
//!   are open, and actions are accepted only from a loopback peer (403 from anywhere else).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use tracing::warn;

/// The access settings the layer enforces.
#[derive(Debug, Clone, Default)]
pub struct Access {
    /// The management token, if configured.
    pub token: Option<String>,
    /// Where it came from (`KILN_MANAGEMENT_TOKEN` or `l2.management.token`), for messages.
    pub source: &'static str,
    /// `l2.management.token.all`: every route needs the token, not just actions.
    pub all: bool,
}

/// Why a request is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// 401 or 403.
    pub status: StatusCode,
    /// What to do about it.
    pub message: String,
}

/// Whether `method` is an action (changes something), as opposed to a read.
pub fn is_action(method: &Method) -> bool {
    method != Method::GET && method != Method::HEAD
}

/// The token a request presents: `Authorization: Bearer <t>`, else `token=<t>` in the query.
pub fn presented_token(headers: &HeaderMap, query: Option<&str>) -> Option<String> {
    if let Some(v) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        if let Some(t) = v
            .strip_prefix("Bearer ")
            .or_else(|| v.strip_prefix("bearer "))
        {
            return Some(t.trim().to_owned());
        }
    }
    query?
        .split('&')
        .find_map(|kv| kv.strip_prefix("token="))
        .map(percent_decode)
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = |c: u8| (c as char).to_digit(16);
                match (hex(b[i + 1]), hex(b[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            x => out.push(x),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Compares without stopping at the first difference (no timing hint about the token).
fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut diff = u8::from(a.len() != b.len());
    for (i, x) in a.iter().enumerate() {
        diff |= x ^ b.get(i).copied().unwrap_or(0);
    }
    diff == 0
}

/// The one access check: `Ok` when the request may proceed.
pub fn check(
    access: &Access,
    method: &Method,
    headers: &HeaderMap,
    query: Option<&str>,
    peer: Option<SocketAddr>,
) -> Result<(), Refusal> {
    let action = is_action(method);
    match &access.token {
        Some(token) if action || access.all => match presented_token(headers, query) {
            None => Err(Refusal {
                status: StatusCode::UNAUTHORIZED,
                message: format!(
                    "this {} needs the management token (set by {}): send 'Authorization: Bearer <token>' or '?token=<token>'",
                    if action { "action" } else { "management port (l2.management.token.all=true)" },
                    access.source
                ),
            }),
            Some(t) if same(&t, token) => Ok(()),
            Some(_) => Err(Refusal {
                status: StatusCode::FORBIDDEN,
                message: format!(
                    "wrong management token (the server's is set by {})",
                    access.source
                ),
            }),
        },
        Some(_) => Ok(()),
        None if action && !peer.is_none_or(|p| p.ip().is_loopback()) => Err(Refusal {
            status: StatusCode::FORBIDDEN,
            message: format!(
                "actions are accepted only from loopback while no management token is configured (request from {}): set the tc-property l2.management.token or KILN_MANAGEMENT_TOKEN",
                peer.map(|p| p.ip().to_string()).unwrap_or_default()
            ),
        }),
        None => Ok(()),
    }
}

/// The layer (`axum::middleware::from_fn_with_state(access, auth::layer)`).
pub async fn layer(State(access): State<Access>, req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    match check(
        &access,
        req.method(),
        req.headers(),
        req.uri().query(),
        peer,
    ) {
        Ok(()) => next.run(req).await,
        Err(r) => {
            warn!(method = %req.method(), path = %req.uri().path(), peer = ?peer, status = r.status.as_u16(), "management request refused: {}", r.message);
            let wants_html = req.method() == Method::GET
                && req.uri().path() == "/"
                && req
                    .headers()
                    .get(header::ACCEPT)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.contains("text/html"));
            if wants_html {
                return (r.status, Html(login_page(&r.message))).into_response();
            }
            let mut resp = (
                r.status,
                Json(serde_json::json!({ "error": r.message, "status": r.status.as_u16() })),
            )
                .into_response();
            if r.status == StatusCode::UNAUTHORIZED {
                resp.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    header::HeaderValue::from_static("Bearer realm=\"kiln-management\""),
                );
            }
            resp
        }
    }
}

fn login_page(message: &str) -> String {
    let esc = message
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!(
        r#"<!doctype html><html><head><meta charset="utf-8"><title>Kiln console: token needed</title>
<style>body{{background:#0f1720;color:#dce6f0;font:15px system-ui,sans-serif;display:flex;align-items:center;justify-content:center;height:100vh;margin:0}}
form{{background:#17212c;padding:28px 32px;border-radius:10px;border:1px solid #2a3a4a;max-width:460px}}
input{{width:100%;padding:8px;margin:12px 0;background:#0f1720;color:#dce6f0;border:1px solid #2a3a4a;border-radius:6px}}
button{{background:#1f6feb;color:#fff;border:0;padding:8px 16px;border-radius:6px}}</style></head>
<body><form method="get" action="/"><h2>Kiln console</h2><p>{esc}</p>
<input id="token" name="token" type="password" placeholder="management token" autofocus>
<button id="login" type="submit">Open console</button></form></body></html>"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(auth: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(a) = auth {
            h.insert(header::AUTHORIZATION, a.parse().expect("header value"));
        }
        h
    }

    fn peer(ip: &str) -> Option<SocketAddr> {
        Some(SocketAddr::new(ip.parse().expect("ip"), 40000))
    }

    #[test]
    fn no_token_reads_open_actions_loopback_only() {
        let a = Access::default();
        assert!(check(&a, &Method::GET, &headers(None), None, peer("10.0.0.7")).is_ok());
        assert!(check(&a, &Method::POST, &headers(None), None, peer("127.0.0.1")).is_ok());
        assert!(check(&a, &Method::POST, &headers(None), None, peer("::1")).is_ok());
        let r = check(&a, &Method::POST, &headers(None), None, peer("10.0.0.7"))
            .expect_err("remote action without token");
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.message.contains("l2.management.token"), "{}", r.message);
    }

    #[test]
    fn token_guards_actions_and_optionally_everything() {
        let mut a = Access {
            token: Some("s3cr%t".into()),
            source: "l2.management.token",
            all: false,
        };
        let lo = peer("127.0.0.1");
        assert!(check(&a, &Method::GET, &headers(None), None, lo).is_ok());
        let r = check(&a, &Method::POST, &headers(None), None, lo).expect_err("no token");
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        let r = check(&a, &Method::POST, &headers(Some("Bearer nope")), None, lo)
            .expect_err("wrong token");
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(check(&a, &Method::POST, &headers(Some("Bearer s3cr%t")), None, lo).is_ok());
        assert!(check(
            &a,
            &Method::POST,
            &headers(None),
            Some("force=true&token=s3cr%25t"),
            lo
        )
        .is_ok());
        a.all = true;
        let r = check(&a, &Method::GET, &headers(None), None, lo).expect_err("all");
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(check(&a, &Method::GET, &headers(Some("Bearer s3cr%t")), None, lo).is_ok());
    }

    #[test]
    fn decoding_and_comparison() {
        assert_eq!(percent_decode("a%20b+c%zz%4"), "a b c%zz%4");
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "abcd"));
        assert!(!same("", "a"));
    }
}
