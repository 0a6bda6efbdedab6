//! A tiny HTTP/1.1 client for the management port (used by `kiln-server status|stop`).

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::ServerError;

/// Sends `method path` to `addr` and returns (status code, body).
pub async fn request(addr: &str, method: &str, path: &str) -> Result<(u16, String), ServerError> {
    request_with_token(addr, method, path, None).await
}

/// [`request`] with `Authorization: Bearer <token>` when `token` is given (the management
/// token, `l2.management.token` / `KILN_MANAGEMENT_TOKEN`).
pub async fn request_with_token(
    addr: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
) -> Result<(u16, String), ServerError> {
    request_body(addr, method, path, token, "", Duration::from_secs(10)).await
}

/// [`request_with_token`] with a request body (`application/json`; empty: none) and how long
/// to wait for the answer.
pub async fn request_body(
    addr: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &str,
    wait: Duration,
) -> Result<(u16, String), ServerError> {
    let err = |message: String| ServerError::Management {
        addr: addr.to_owned(),
        message,
    };
    let mut s = tokio::time::timeout(Duration::from_secs(5), TcpStream::connect(addr))
        .await
        .map_err(|_| err("connection timed out".into()))?
        .map_err(|e| err(e.to_string()))?;
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let kind = if body.is_empty() {
        ""
    } else {
        "Content-Type: application/json\r\n"
    };
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Connection: close\r\n{kind}Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes())
        .await
        .map_err(|e| err(e.to_string()))?;
    let mut buf = Vec::new();
    tokio::time::timeout(wait, s.read_to_end(&mut buf))
        .await
        .map_err(|_| err(format!("no response within {} s", wait.as_secs())))?
        .map_err(|e| err(e.to_string()))?;
    let text = String::from_utf8_lossy(&buf);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| err("malformed HTTP response".into()))?;
    let code = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| err("malformed HTTP status line".into()))?;
    Ok((code, body.to_owned()))
}
