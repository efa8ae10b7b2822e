//! CIDR ranges (`10.0.0.0/8`, `2001:db8::/32`) and IP matching.

use std::net::IpAddr;

/// An IPv4 or IPv6 network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Cidr {
    network: u128,
    prefix: u8,
    v4: bool,
}

impl Cidr {
    /// Parses `address/prefix`; a bare address is a single-host range.
    pub fn parse(text: &str) -> Option<Cidr> {
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let ip: IpAddr = address.trim().parse().ok()?;
        let (bits, v4, width) = ip_bits(ip);
        let prefix: u8 = match prefix {
            Some(p) => {
                if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                p.parse().ok()?
            }
            None => width,
        };
        if prefix > width {
            return None;
        }
        Some(Cidr { network: bits & mask(prefix, width), prefix, v4 })
    }

    /// Whether the address lies in this network (IPv4 never matches an IPv6 range).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let (bits, v4, width) = ip_bits(ip);
        v4 == self.v4 && bits & mask(self.prefix, width) == self.network
    }

    /// Parses `ip` and tests it; an unparsable address is in no range.
    pub fn contains_text(&self, ip: &str) -> bool {
        ip.trim().parse::<IpAddr>().is_ok_and(|ip| self.contains(ip))
    }
}

fn ip_bits(ip: IpAddr) -> (u128, bool, u8) {
    match ip {
        IpAddr::V4(v4) => (u128::from(u32::from(v4)), true, 32),
        IpAddr::V6(v6) => (u128::from(v6), false, 128),
    }
}

fn mask(prefix: u8, width: u8) -> u128 {
    if prefix == 0 {
        0
    } else {
        let full: u128 = if width == 32 { u128::from(u32::MAX) } else { u128::MAX };
        (full << (width - prefix)) & full
    }
}

#[cfg(test)]
mod tests {
    use super::Cidr;

    #[test]
    fn matches_v4_and_v6() {
        let net = Cidr::parse("10.0.0.0/8").unwrap();
        assert!(net.contains_text("10.1.2.3"));
        assert!(!net.contains_text("11.0.0.1"));
        assert!(!net.contains_text("::1"));
        let host = Cidr::parse("192.168.1.7").unwrap();
        assert!(host.contains_text("192.168.1.7"));
        assert!(!host.contains_text("192.168.1.8"));
        let v6 = Cidr::parse("2001:db8::/32").unwrap();
        assert!(v6.contains_text("2001:db8::1"));
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains_text("8.8.8.8"));
        for bad in ["10.0.0.0/33", "10.0.0/8", "x", "10.0.0.0/", "10.0.0.0/+8", ""] {
            assert!(Cidr::parse(bad).is_none(), "{bad}");
        }
    }
}
