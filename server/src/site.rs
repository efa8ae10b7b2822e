//! The admin app, served by the server itself (`serve --app DIR`, DIR the
//! app as `trunk build` writes it): same origin as the API, so the session
//! cookie (SameSite=Strict) and the CSRF header just work.
//!
//! The files are read once at start into memory and served by exact name;
//! any other address outside `/v1/` that names no file (`/requests/R3`) is
//! one of the app's own addresses and gets `index.html`. No path from a
//! request ever reaches the file system, so no address can read outside DIR.

use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use clearance_core::Error;
use std::collections::HashMap;
use std::path::Path;

/// The app's files by address (`/index.html`, `/clearance-web-….wasm`).
pub struct Site {
    files: HashMap<String, (HeaderValue, axum::body::Bytes)>,
}

/// What the browser is told about every file of the app: no framing by
/// another site (clickjacking an approval), no type sniffing, no referrer
/// carrying a request's address elsewhere.
const HARDENING: [(&str, &str); 4] = [
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("content-security-policy", "frame-ancestors 'none'"),
    ("referrer-policy", "no-referrer"),
];

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        _ => "application/octet-stream",
    }
}

impl Site {
    /// Reads every file under `dir`; it must hold `index.html`.
    ///
    /// # Errors
    /// `app_not_found` when `dir` cannot be read or has no `index.html`.
    pub fn load(dir: &Path) -> Result<Site, Error> {
        let mut files = HashMap::new();
        read_into(dir, "", &mut files)
            .map_err(|e| Error::one("", clearance_core::Code::AppNotFound, format!("cannot read the app at `{}`: {e}", dir.display())))?;
        if !files.contains_key("/index.html") {
            return Err(Error::one(
                "",
                clearance_core::Code::AppNotFound,
                format!("`{}` holds no `index.html`: build the app first (`bash scripts/web.sh build` writes `dist/`)", dir.display()),
            ));
        }
        Ok(Site { files })
    }

    /// The answer to a `GET` or `HEAD` of `uri` outside the API; `None` for
    /// an address under `/v1/` (the API's own not-found answers it).
    pub fn answer(&self, method: &Method, uri: &Uri, headers: &HeaderMap) -> Option<Response> {
        let path = uri.path();
        if path == "/v1" || path.starts_with("/v1/") {
            return None;
        }
        if method != Method::GET && method != Method::HEAD {
            return Some((StatusCode::METHOD_NOT_ALLOWED, [(header::ALLOW, "GET, HEAD")]).into_response());
        }
        let wants_page = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_none_or(|a| a.contains("text/html"));
        let (kind, body) = match self.files.get(path) {
            Some(file) => file,
            // An app address (no file named): the app routes it itself.
            None if wants_page || !path.rsplit('/').next().unwrap_or_default().contains('.') => self.files.get("/index.html")?,
            None => return Some((StatusCode::NOT_FOUND, "no such file").into_response()),
        };
        let mut response = if method == Method::HEAD { ().into_response() } else { body.clone().into_response() };
        let out = response.headers_mut();
        out.insert(header::CONTENT_TYPE, kind.clone());
        // Trunk names every asset by its content hash; only the page itself must be asked for again.
        let cache =
            if kind.to_str().is_ok_and(|k| k.starts_with("text/html")) { "no-cache" } else { "public, max-age=31536000, immutable" };
        out.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
        for (name, value) in HARDENING {
            out.insert(name, HeaderValue::from_static(value));
        }
        Some(response)
    }
}

fn read_into(dir: &Path, prefix: &str, files: &mut HashMap<String, (HeaderValue, axum::body::Bytes)>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let address = format!("{prefix}/{name}");
        if entry.file_type()?.is_dir() {
            read_into(&entry.path(), &address, files)?;
        } else {
            let bytes = std::fs::read(entry.path())?;
            files.insert(address, (HeaderValue::from_static(content_type(&name)), bytes.into()));
        }
    }
    Ok(())
}
