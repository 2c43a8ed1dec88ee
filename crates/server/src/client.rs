//! Which address a request comes from, for the limits on failures.
//!
//! The peer of the TCP connection, unless that peer is a proxy the operator trusts
//! (`serve --trusted-proxy 127.0.0.1`): then the client is the right-most address of
//! `X-Forwarded-For` that is not itself a trusted proxy. A header from an untrusted peer
//! is ignored: anybody can write one.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::str::FromStr;

use axum::http::HeaderMap;

/// An address or a network (`127.0.0.1`, `10.0.0.0/8`, `::1`, `fd00::/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    address: IpAddr,
    prefix: u8,
}

impl Network {
    pub fn contains(&self, other: IpAddr) -> bool {
        match (self.address, unmap(other)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for Network {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad =
            || format!("`{text}` is not an IP address or network (127.0.0.1, 10.0.0.0/8, ::1)");
        let (address, prefix) = match text.trim().split_once('/') {
            Some((a, p)) => (a, Some(p.parse::<u8>().map_err(|_| bad())?)),
            None => (text.trim(), None),
        };
        let address = unmap(address.parse::<IpAddr>().map_err(|_| bad())?);
        let max = if address.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        if prefix > max {
            return Err(bad());
        }
        Ok(Network { address, prefix })
    }
}

/// IPv4 written as IPv6 (`::ffff:127.0.0.1`, what a dual-stack socket reports) as IPv4.
fn unmap(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    }
}

/// The client's address. Without a peer (a router served without connection info) every
/// request counts as one unknown client, `0.0.0.0`.
pub fn address(peer: Option<SocketAddr>, headers: &HeaderMap, trusted: &[Network]) -> IpAddr {
    let Some(peer) = peer.map(|p| unmap(p.ip())) else {
        return IpAddr::V4(Ipv4Addr::UNSPECIFIED);
    };
    let is_trusted = |ip: IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    // Right to left: the entries our proxies appended come last; what a client wrote
    // itself (possibly garbage) comes first and is never reached past a real address.
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect();
    for entry in entries.into_iter().rev() {
        match entry.trim().parse::<IpAddr>().map(unmap) {
            Ok(ip) if is_trusted(ip) => continue,
            Ok(ip) => return ip,
            Err(_) => break,
        }
    }
    peer
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn peer(ip: &str) -> Option<SocketAddr> {
        Some(SocketAddr::new(ip.parse().unwrap(), 40000))
    }

    #[test]
    fn the_forwarded_address_counts_only_behind_a_trusted_proxy() {
        let trusted = ["127.0.0.1".parse().unwrap(), "10.0.0.0/8".parse().unwrap()];
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        // Untrusted peer: its own address, whatever the header says.
        assert_eq!(
            address(peer("198.51.100.4"), &headers(&["203.0.113.9"]), &trusted),
            ip("198.51.100.4")
        );
        // Trusted proxy: the right-most address that is not a proxy of ours.
        assert_eq!(
            address(
                peer("127.0.0.1"),
                &headers(&["6.6.6.6, 203.0.113.9, 10.1.2.3"]),
                &trusted
            ),
            ip("203.0.113.9")
        );
        assert_eq!(
            address(
                peer("127.0.0.1"),
                &headers(&["6.6.6.6", "203.0.113.9"]),
                &trusted
            ),
            ip("203.0.113.9")
        );
        // No header, or an unreadable one: the proxy itself.
        assert_eq!(
            address(peer("127.0.0.1"), &headers(&[]), &trusted),
            ip("127.0.0.1")
        );
        assert_eq!(
            address(peer("127.0.0.1"), &headers(&["nonsense"]), &trusted),
            ip("127.0.0.1")
        );
        // What the client wrote before the proxy's entry does not matter.
        assert_eq!(
            address(
                peer("127.0.0.1"),
                &headers(&["nonsense, 203.0.113.9"]),
                &trusted
            ),
            ip("203.0.113.9")
        );
        // A dual-stack socket's mapped address is the IPv4 one.
        assert_eq!(
            address(
                peer("::ffff:127.0.0.1"),
                &headers(&["203.0.113.9"]),
                &trusted
            ),
            ip("203.0.113.9")
        );
        assert_eq!(
            address(None, &headers(&["203.0.113.9"]), &trusted),
            ip("0.0.0.0")
        );
        assert_eq!(
            address(peer("127.0.0.1"), &headers(&["203.0.113.9"]), &[]),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn networks_parse_and_match() {
        let net: Network = "192.168.0.0/16".parse().unwrap();
        assert!(net.contains("192.168.44.1".parse().unwrap()));
        assert!(!net.contains("192.169.0.1".parse().unwrap()));
        assert!(
            "::1"
                .parse::<Network>()
                .unwrap()
                .contains("::1".parse().unwrap())
        );
        assert!(
            "fd00::/8"
                .parse::<Network>()
                .unwrap()
                .contains("fd12::5".parse().unwrap())
        );
        assert!(
            "0.0.0.0/0"
                .parse::<Network>()
                .unwrap()
                .contains("8.8.8.8".parse().unwrap())
        );
        for bad in ["", "localhost", "10.0.0.0/33", "::1/129", "1.2.3.4/x"] {
            assert!(bad.parse::<Network>().is_err(), "{bad}");
        }
    }
}
