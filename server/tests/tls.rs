//! HTTPS with rustls: the server speaks TLS with the given certificate,
//! every answer carries HSTS, session cookies are `Secure`, and plain HTTP
//! to the TLS port gets no answer.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]

mod support;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::Arc;
use support::{Server, s};

/// A self-signed certificate for 127.0.0.1 (openssl, as an operator would make one).
fn certificate(dir: &Path) -> (String, String) {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let status = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
        ])
        .args([
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-addext",
            "basicConstraints=critical,CA:FALSE",
            "-addext",
            "extendedKeyUsage=serverAuth",
        ])
        .args(["-keyout", s(&key), "-out", s(&cert)])
        .stderr(std::process::Stdio::null())
        .status()
        .expect("openssl makes the test certificate");
    assert!(status.success());
    (s(&cert).to_owned(), s(&key).to_owned())
}

/// One HTTP/1.1 request over TLS, trusting only `cert`; the raw answer.
fn https(address: &str, cert: &str, request: &str) -> String {
    #[allow(deprecated, reason = "the server's provider: ring (aws-lc-rs needs cmake)")]
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from_pem_file(cert).unwrap()).unwrap();
    let config = rustls::ClientConfig::builder().with_root_certificates(roots).with_no_client_auth();
    let name = ServerName::try_from("127.0.0.1").unwrap();
    let connection = rustls::ClientConnection::new(Arc::new(config), name).unwrap();
    let mut stream = rustls::StreamOwned::new(connection, TcpStream::connect(address).unwrap());
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer
}

#[test]
fn https_with_hsts_and_secure_cookies() {
    let plain = Server::start("tls");
    let dir = plain.dir.clone();
    drop(plain);
    let (cert, key) = certificate(&dir);
    let server = Server::serve_with(dir, true, &["--tls-cert", &cert, "--tls-key", &key]);
    let address = server.url.strip_prefix("https://").expect("an https address").to_owned();

    let health = https(&address, &cert, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(health.to_lowercase().contains("strict-transport-security: max-age=31536000"), "{health}");

    let body = format!(r#"{{"user": "mgr_east_mike", "password": "{}"}}"#, support::PASSWORD);
    let request = format!(
        "POST /v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let signed_in = https(&address, &cert, &request);
    assert!(signed_in.starts_with("HTTP/1.1 200"), "{signed_in}");
    let cookie = signed_in.lines().find(|l| l.to_lowercase().starts_with("set-cookie:")).unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("; Secure"), "{cookie}");

    // The CLI over HTTPS: it trusts the server's CA from CLEARANCE_CA_FILE, and refuses it otherwise.
    let session = cookie.split(':').nth(1).unwrap().split(';').next().unwrap().trim().to_owned();
    let csrf = signed_in.split("\"csrf\":\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let body = r#"{"scopes": ["read"]}"#;
    let request = format!(
        "POST /v1/tokens HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {session}\r\nx-csrf-token: {csrf}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let made = https(&address, &cert, &request);
    assert!(made.starts_with("HTTP/1.1 201"), "{made}");
    let token = made.split("\"token\":\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let cli = Path::new(support::binary()).with_file_name("clearance");
    let show = |ca: Option<&str>| {
        let mut command = std::process::Command::new(&cli);
        command.args(["change", "show", "--server", &server.url]).env("CLEARANCE_TOKEN", &token).env_remove("CLEARANCE_CA_FILE");
        if let Some(ca) = ca {
            command.env("CLEARANCE_CA_FILE", ca);
        }
        command.output().unwrap()
    };
    let trusted = show(Some(&cert));
    assert!(trusted.status.success(), "{}", String::from_utf8_lossy(&trusted.stderr));
    assert_eq!(String::from_utf8_lossy(&trusted.stdout).trim(), "[]");
    let untrusted = show(None);
    assert!(String::from_utf8_lossy(&untrusted.stderr).contains("[server_unreachable]"), "{}", String::from_utf8_lossy(&untrusted.stderr));

    // Plain HTTP to the TLS port: no HTTP answer.
    let mut plain = TcpStream::connect(&address).unwrap();
    plain.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
    plain.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = Vec::new();
    let _ = plain.read_to_end(&mut answer);
    assert!(!String::from_utf8_lossy(&answer).contains("200 OK"), "{}", String::from_utf8_lossy(&answer));
}
