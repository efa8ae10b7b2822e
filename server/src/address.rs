//! The client's address: the socket's peer, never a header the client can
//! write — unless the peer is one of the configured trusted proxies, whose
//! `X-Forwarded-For` is then read from the right, skipping trusted hops, to
//! the first address a trusted proxy saw.

use axum::http::HeaderMap;
use std::net::IpAddr;

/// The address the policy's IP ranges judge.
pub fn client(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let hops: Vec<&str> = headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).collect();
    for hop in hops.iter().rev() {
        match hop.trim().parse::<IpAddr>() {
            Ok(address) if trusted.contains(&address) => {}
            Ok(address) => return address,
            // A hop that is not an address: nothing to its left can be trusted.
            Err(_) => return peer,
        }
    }
    peer
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for v in values {
            map.append("x-forwarded-for", v.parse().unwrap());
        }
        map
    }

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let proxy: IpAddr = "127.0.0.1".parse().unwrap();
        let other: IpAddr = "192.0.2.1".parse().unwrap();
        let h = headers(&["10.0.0.7"]);
        assert_eq!(client(other, &h, &[proxy]), other, "an untrusted peer's header is ignored");
        assert_eq!(client(proxy, &h, &[]), proxy, "no trusted proxies: the socket");
        assert_eq!(client(proxy, &h, &[proxy]).to_string(), "10.0.0.7");
        // The client writes the left part: the rightmost untrusted hop is the one the proxy saw.
        assert_eq!(client(proxy, &headers(&["10.0.0.7, 203.0.113.9"]), &[proxy]).to_string(), "203.0.113.9");
        assert_eq!(client(proxy, &headers(&["10.0.0.7", "203.0.113.9, 127.0.0.1"]), &[proxy]).to_string(), "203.0.113.9");
        assert_eq!(client(proxy, &headers(&["10.0.0.7, not-an-ip"]), &[proxy]), proxy);
        assert_eq!(client(proxy, &HeaderMap::new(), &[proxy]), proxy);
    }
}
