//! Abuse over real HTTP, on both backends: a token is checked before its device's budget
//! is spent; bad tokens and pairing codes are limited per client address (the proxy's
//! forwarded address only when that proxy is trusted), with a global cap that blocks
//! failing addresses at once and nobody else.

#[macro_use]
mod common;

use std::time::Duration;

use carnet_server::ratelimit::Limits;
use common::{Backend, TestDb, TestServer};
use serde_json::{Value, json};

/// A server trusting 127.0.0.1 as its proxy (or nobody), with these limits.
fn server(backend: &Backend, limits: Limits, trust: bool) -> TestServer {
    let target = TestDb::new(backend);
    let token = target.open().add_worker("travailleuse-a");
    let trusted = if trust {
        vec!["127.0.0.1".parse().unwrap()]
    } else {
        Vec::new()
    };
    TestServer::start_limited(target, token, limits, trusted)
}

fn limits(address_failures: u32, global_failures: u32) -> Limits {
    Limits {
        address_failures,
        address_refill: Duration::from_secs(3600),
        global_failures,
        global_refill: Duration::from_secs(3600),
        ..Limits::default()
    }
}

/// `POST /api/v1/pair` as if from `from` (an `X-Forwarded-For` address).
fn pair(s: &TestServer, code: &str, from: &str) -> (u16, Value, Option<String>) {
    let mut resp = TestServer::agent()
        .post(s.url("/api/v1/pair"))
        .header("Content-Type", "application/json")
        .header("X-Forwarded-For", from)
        .send(json!({ "code": code }).to_string().as_bytes())
        .unwrap();
    answer(&mut resp)
}

/// `GET /api/v1/me` with a token, as if from `from`.
fn me(s: &TestServer, token: &str, from: &str) -> (u16, Value, Option<String>) {
    let mut resp = TestServer::agent()
        .get(s.url("/api/v1/me"))
        .header("Authorization", format!("Bearer {token}"))
        .header("X-Forwarded-For", from)
        .call()
        .unwrap();
    answer(&mut resp)
}

fn answer(resp: &mut ureq::http::Response<ureq::Body>) -> (u16, Value, Option<String>) {
    let status = resp.status().as_u16();
    let retry = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let text = resp.body_mut().read_to_string().unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::Null),
        retry,
    )
}

fn code(s: &TestServer) -> String {
    s.db.block(
        s.db.store
            .create_pairing_code("travailleuse-a", carnet_server::store::now_ms()),
    )
    .unwrap()
}

both_backends! {
    fn a_bad_token_spends_no_budget_and_a_device_spends_only_its_own(backend: Backend) {
        let s = server(&backend, Limits { device_burst: 5, device_per_second: 1, ..limits(1000, 1000) }, true);
        // The same made-up token, well past a device's burst: refused as unknown every
        // time, never as out of budget (it is checked first, and has none).
        for _ in 0..12 {
            let (status, body, _) = me(&s, "jeton-invente", "203.0.113.1");
            assert_eq!((status, body["error"].as_str()), (401, Some("unauthorized")));
        }
        // A device out of budget is slowed down; another device of the same worker is not.
        let other = {
            let (status, body, _) = pair(&s, &code(&s), "203.0.113.2");
            assert_eq!(status, 200);
            body["token"].as_str().unwrap().to_owned()
        };
        let mut limited = false;
        for _ in 0..10 {
            let (status, _, retry) = me(&s, &s.token, "203.0.113.2");
            if status == 429 {
                assert!(retry.is_some());
                limited = true;
                break;
            }
            assert_eq!(status, 200);
        }
        assert!(limited);
        assert_eq!(me(&s, &other, "203.0.113.2").0, 200);
    }
}

both_backends! {
    fn bad_codes_and_tokens_from_one_address_block_that_address_only(backend: Backend) {
        let s = server(&backend, limits(5, 1000), true);
        let abuser = "198.51.100.66";
        for _ in 0..5 {
            let (status, body, _) = pair(&s, "AAAA-AAAA", abuser);
            assert_eq!((status, body["error"].as_str()), (400, Some("invalid_pairing_code")));
        }
        let (status, body, retry) = pair(&s, "AAAA-AAAA", abuser);
        assert_eq!((status, body["error"].as_str()), (429, Some("rate_limited")));
        assert!(retry.unwrap().parse::<u64>().unwrap() >= 60);
        // The blocked address is refused before its code is looked at: the valid code it
        // sends is not spent, and works from elsewhere.
        let valid = code(&s);
        assert_eq!(pair(&s, &valid, abuser).0, 429);
        assert_eq!(me(&s, &s.token, abuser).0, 429);
        let (status, body, _) = pair(&s, &valid, "203.0.113.7");
        assert_eq!(status, 200, "{body}");
        assert_eq!(me(&s, &s.token, "203.0.113.7").0, 200);
        // Bad tokens count the same way.
        let guesser = "198.51.100.77";
        for _ in 0..5 {
            assert_eq!(me(&s, "jeton-invente", guesser).0, 401);
        }
        assert_eq!(me(&s, "jeton-invente", guesser).0, 429);
        assert_eq!(me(&s, &s.token, guesser).0, 429);
        assert_eq!(me(&s, &s.token, "203.0.113.8").0, 200);
        // An IPv6 abuser is counted by its /64.
        for n in 0..5 {
            assert_eq!(pair(&s, "BBBB-BBBB", &format!("2001:db8:5:6::{n}")).0, 400);
        }
        assert_eq!(pair(&s, "BBBB-BBBB", "2001:db8:5:6::99").0, 429);
        assert_eq!(pair(&s, "BBBB-BBBB", "2001:db8:5:7::1").0, 400);
    }
}

both_backends! {
    fn hundreds_of_bad_codes_from_one_address_lock_nobody_else_out(backend: Backend) {
        // The default limits, as served.
        let s = server(&backend, Limits::default(), true);
        let mut refused = 0;
        for n in 0..400 {
            match pair(&s, &format!("ZZZZ-{:04}", n % 10_000), "198.51.100.9").0 {
                400 => {}
                429 => refused += 1,
                other => panic!("{other}"),
            }
        }
        // Stopped after its 30 failures (one more per 10 s if this loop is slow).
        assert!((360..=370).contains(&refused), "{refused} refused");
        let (status, body, _) = pair(&s, &code(&s), "203.0.113.20");
        assert_eq!(status, 200, "{body}");
        assert_eq!(me(&s, &s.token, "203.0.113.21").0, 200);
    }
}

both_backends! {
    fn past_the_global_cap_failing_addresses_are_blocked_at_once_and_clean_ones_pass(backend: Backend) {
        let s = server(&backend, limits(5, 10), true);
        // Ten addresses, one failure each: the global budget is spent.
        for n in 0..10 {
            assert_eq!(pair(&s, "CCCC-CCCC", &format!("198.51.100.{n}")).0, 400);
        }
        // From now on an address that fails is blocked on its first failure…
        let (status, _, retry) = pair(&s, "CCCC-CCCC", "198.51.100.50");
        assert_eq!(status, 429);
        assert_eq!(retry.as_deref(), Some("60"));
        assert_eq!(pair(&s, &code(&s), "198.51.100.50").0, 429);
        assert_eq!(me(&s, "jeton-invente", "198.51.100.51").0, 429);
        // …and addresses that do not fail are never refused.
        let (status, body, _) = pair(&s, &code(&s), "203.0.113.30");
        assert_eq!(status, 200, "{body}");
        assert_eq!(me(&s, &s.token, "203.0.113.31").0, 200);
        assert_eq!(me(&s, &s.token, "198.51.100.3").0, 200);
    }
}

both_backends! {
    fn a_forwarded_address_is_ignored_unless_the_proxy_is_trusted(backend: Backend) {
        // Nobody trusted: every request is from 127.0.0.1, whatever the header says, so
        // writing another address in it does not escape the block.
        let s = server(&backend, limits(3, 1000), false);
        for n in 0..3 {
            assert_eq!(pair(&s, "DDDD-DDDD", &format!("203.0.113.{n}")).0, 400);
        }
        assert_eq!(pair(&s, "DDDD-DDDD", "203.0.113.99").0, 429);
        assert_eq!(pair(&s, &code(&s), "198.51.100.1").0, 429);
    }
}
