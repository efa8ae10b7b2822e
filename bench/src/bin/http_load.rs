//! Many concurrent HTTP reads against a running `clearance-server`, from a
//! native client (Node's `fetch` in `bench/server/bench.mjs` spends more of
//! the 2-core machine than the server does). Signs in, warms one kept-alive
//! connection per concurrent request, then times bursts of `CONCURRENCY`
//! requests sent at once, for `PATH` and for `/healthz` in the same run.
//! `cargo run --release -p clearance-bench --bin http_load URL USER PASSWORD [PATH] [CONCURRENCY] [BURSTS]`.

use std::time::Instant;

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
    // One row of bench-server.sh's Markdown table.
    println!(
        "| {n} concurrent GET {path}, native client ({bursts} bursts) | {read99:.1} | ms p99 | p50 {read50:.1} ms; /healthz, same client and run: p99 {health99:.1} ms, p50 {health50:.1} ms ({:.1}×) |",
        read99 / health99
    );
}
