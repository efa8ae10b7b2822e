//! Many concurrent HTTP reads against a running `clearance-server`, from a
//! native client (Node's `fetch` in `bench/server/bench.mjs` spends more of
//! the 2-core machine than the server does). Signs in, warms one kept-alive
//! connection per concurrent request, then times bursts of `CONCURRENCY`
//! requests sent at once, for `PATH` and for `/healthz` in the same run.
//! Each measure runs twice: through reqwest (a full client, as an
//! application would use), and as wrk does, writing the request's bytes to
//! one open socket per request and reading the answer by its
//! `Content-Length` (a client light enough that on two shared cores the
//! figure is the server's, not the client's).
//! `cargo run --release -p clearance-bench --bin http_load URL USER PASSWORD [PATH] [CONCURRENCY] [BURSTS]`.

use std::time::Instant;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn quantile(xs: &mut [f64], q: f64) -> f64 {
    xs.sort_by(f64::total_cmp);
    let i = ((xs.len() as f64 - 1.0) * q).round() as usize;
    xs[i.min(xs.len() - 1)]
}

async fn burst(client: &reqwest::Client, url: &str, headers: &reqwest::header::HeaderMap, n: usize) -> Vec<f64> {
    let sent: Vec<_> = (0..n)
        .map(|_| {
            let request = client.get(url).headers(headers.clone());
            tokio::spawn(async move {
                let t = Instant::now();
                let response = request.send().await.expect("answered");
                let status = response.status();
                let body = response.bytes().await.expect("read");
                assert!(status.is_success(), "{status}: {}", String::from_utf8_lossy(&body));
                t.elapsed().as_secs_f64() * 1e3
            })
        })
        .collect();
    let mut times = Vec::with_capacity(n);
    for handle in sent {
        times.push(handle.await.expect("joined"));
    }
    times
}

async fn measure(client: &reqwest::Client, url: &str, headers: &reqwest::header::HeaderMap, n: usize, bursts: usize) -> (f64, f64) {
    burst(client, url, headers, n).await;
    let mut all = Vec::new();
    for _ in 0..bursts {
        all.extend(burst(client, url, headers, n).await);
    }
    (quantile(&mut all, 0.5), quantile(&mut all, 0.99))
}

/// The body length an answer's head announces, once the head is complete; fails on anything but a 200 with a length.
fn head_and_length(bytes: &[u8]) -> Option<(usize, usize)> {
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = std::str::from_utf8(&bytes[..end]).expect("an ascii head");
    assert!(head.starts_with("HTTP/1.1 200"), "not a 200: {head}");
    let length = head
        .lines()
        .find_map(|line| line.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().expect("a length")))
        .expect("a content-length (a chunked answer is not read here)");
    Some((end, length))
}

/// One request written to `socket` and its whole answer read, in milliseconds.
async fn raw_one(socket: &mut TcpStream, request: &[u8], buffer: &mut Vec<u8>) -> f64 {
    let t = Instant::now();
    socket.write_all(request).await.expect("written");
    buffer.clear();
    loop {
        let mut chunk = [0u8; 16384];
        let n = socket.read(&mut chunk).await.expect("read");
        assert!(n > 0, "the server closed the connection");
        buffer.extend_from_slice(&chunk[..n]);
        if let Some((head, length)) = head_and_length(buffer)
            && buffer.len() >= head + length
        {
            assert_eq!(buffer.len(), head + length, "one answer per request");
            return t.elapsed().as_secs_f64() * 1e3;
        }
    }
}

/// `bursts` bursts of one request on each of `sockets.len()` open connections at once (after one to warm up): p50 and p99.
async fn raw_measure(address: &str, request: String, n: usize, bursts: usize) -> (f64, f64) {
    let mut sockets = Vec::with_capacity(n);
    for _ in 0..n {
        let socket = TcpStream::connect(address).await.expect("connects");
        socket.set_nodelay(true).expect("nodelay");
        sockets.push(socket);
    }
    let request = std::sync::Arc::new(request.into_bytes());
    let mut all = Vec::new();
    for round in 0..=bursts {
        let sent: Vec<_> = sockets
            .drain(..)
            .map(|mut socket| {
                let request = request.clone();
                tokio::spawn(async move {
                    let mut buffer = Vec::with_capacity(16384);
                    let ms = raw_one(&mut socket, &request, &mut buffer).await;
                    (socket, ms)
                })
            })
            .collect();
        for handle in sent {
            let (socket, ms) = handle.await.expect("joined");
            sockets.push(socket);
            if round > 0 {
                all.push(ms);
            }
        }
    }
    (quantile(&mut all, 0.5), quantile(&mut all, 0.99))
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (base, user, password) = (&args[1], &args[2], &args[3]);
    let path = args.get(4).map_or("/v1/requests", String::as_str);
    let n: usize = args.get(5).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let bursts: usize = args.get(6).and_then(|a| a.parse().ok()).unwrap_or(5);
    let client = reqwest::Client::builder().pool_max_idle_per_host(n).build().expect("client");
    let body = serde_json::json!({"user": user, "password": password});
    // The sign-in limit (ten at once per address, then one every six seconds) may hold the first try.
    let mut signed_in = client.post(format!("{base}/v1/session")).json(&body).send().await.expect("signs in");
    for _ in 0..10 {
        if signed_in.status() != reqwest::StatusCode::TOO_MANY_REQUESTS {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_secs(6)).await;
        signed_in = client.post(format!("{base}/v1/session")).json(&body).send().await.expect("signs in");
    }
    let cookie = signed_in.headers().get(reqwest::header::SET_COOKIE).expect("a session cookie").to_str().expect("ascii");
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::COOKIE, cookie.split(';').next().unwrap_or_default().parse().expect("header"));
    let (health50, health99) = measure(&client, &format!("{base}/healthz"), &reqwest::header::HeaderMap::new(), n, bursts).await;
    let (read50, read99) = measure(&client, &format!("{base}{path}"), &headers, n, bursts).await;
    // One row of bench-server.sh's Markdown table per client.
    println!(
        "| {n} concurrent GET {path}, native client ({bursts} bursts) | {read99:.1} | ms p99 | p50 {read50:.1} ms; /healthz, same client and run: p99 {health99:.1} ms, p50 {health50:.1} ms ({:.1}×) |",
        read99 / health99
    );
    let address = base.trim_start_matches("http://").trim_end_matches('/');
    let cookie = headers.get(reqwest::header::COOKIE).and_then(|c| c.to_str().ok()).unwrap_or_default();
    let get = |path: &str, extra: &str| format!("GET {path} HTTP/1.1\r\nHost: {address}\r\n{extra}\r\n");
    let (health50, health99) = raw_measure(address, get("/healthz", ""), n, bursts).await;
    let (read50, read99) = raw_measure(address, get(path, &format!("Cookie: {cookie}\r\n")), n, bursts).await;
    println!(
        "| {n} concurrent GET {path}, raw sockets as wrk ({bursts} bursts) | {read99:.1} | ms p99 | p50 {read50:.1} ms; /healthz, same client and run: p99 {health99:.1} ms, p50 {health50:.1} ms ({:.1}×) |",
        read99 / health99
    );
}
