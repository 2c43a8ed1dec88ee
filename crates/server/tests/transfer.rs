//! What goes over the wire, checked over real HTTP: precompressed static files in the
//! encoding the browser accepts, API answers compressed on the fly, and cache lifetimes
//! (hashed files for good, stable names revalidated, the API never stored).

mod common;

use std::io::{Read, Write};

use common::{Backend, TestDb, TestServer};

const WASM: &str = "carnet-0123456789abcdef_bg.wasm";
const JS: &str = "carnet-0123456789abcdef.js";
const CSS: &str = "main-fedcba9876543210.css";
/// The phone app's module, which the start-up module loads (`src/boot/`).
const APP_WASM: &str = "app/carnet-app-00112233445566aa_bg.wasm";
const INDEX: &str = "<!doctype html><title>Carnet</title><script type=\"module\">import init from '/carnet-0123456789abcdef.js';</script>";

/// A response as the browser receives it: status, headers of interest, raw body bytes.
struct Got {
    status: u16,
    encoding: String,
    cache: String,
    vary: String,
    content_type: String,
    body: Vec<u8>,
}

impl Got {
    /// The body once the `Content-Encoding` is undone.
    fn decoded(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self.encoding.as_str() {
            "br" => {
                brotli::Decompressor::new(&self.body[..], 4096)
                    .read_to_end(&mut out)
                    .unwrap();
            }
            "gzip" => {
                flate2::read::GzDecoder::new(&self.body[..])
                    .read_to_end(&mut out)
                    .unwrap();
            }
            "" => out.clone_from(&self.body),
            other => panic!("unexpected encoding {other}"),
        }
        out
    }
}

fn get(s: &TestServer, path: &str, accept: Option<&str>, token: Option<&str>) -> Got {
    let mut req = TestServer::agent().get(s.url(path));
    if let Some(accept) = accept {
        req = req.header("Accept-Encoding", accept);
    }
    if let Some(token) = token {
        req = req.header("Authorization", format!("Bearer {token}"));
    }
    let mut resp = req.call().unwrap();
    let h = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let (encoding, cache, vary, content_type) = (
        h("content-encoding"),
        h("cache-control"),
        h("vary"),
        h("content-type"),
    );
    let status = resp.status().as_u16();
    let mut body = Vec::new();
    resp.body_mut().as_reader().read_to_end(&mut body).unwrap();
    Got {
        status,
        encoding,
        cache,
        vary,
        content_type,
        body,
    }
}

fn brotli(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
        w.write_all(data).unwrap();
    }
    out
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut w = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    w.write_all(data).unwrap();
    w.finish().unwrap()
}

/// Compressible, not random: the precompressed variants are much smaller.
fn asset_bytes(seed: &str) -> Vec<u8> {
    (0..2000)
        .flat_map(|i| format!("{seed} {i};\n").into_bytes())
        .collect()
}

/// A built app the way `trunk build` and `scripts/precompress.mjs` leave it, and a server
/// on it with a coordinator token.
fn server_on_built_dist() -> (TestServer, String) {
    let target = TestDb::new(&Backend::Sqlite);
    let dist = target.dist();
    std::fs::create_dir_all(dist.join("icons")).unwrap();
    std::fs::create_dir_all(dist.join("app")).unwrap();
    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("index.html".into(), INDEX.as_bytes().to_vec()),
        (WASM.into(), asset_bytes("wasm")),
        (APP_WASM.into(), asset_bytes("app")),
        (JS.into(), asset_bytes("js")),
        (CSS.into(), asset_bytes("css")),
        ("sw.js".into(), asset_bytes("sw")),
        ("manifest.webmanifest".into(), asset_bytes("manifest")),
    ];
    for (name, bytes) in files.drain(..) {
        std::fs::write(dist.join(&name), &bytes).unwrap();
        std::fs::write(dist.join(format!("{name}.br")), brotli(&bytes)).unwrap();
        std::fs::write(dist.join(format!("{name}.gz")), gzip(&bytes)).unwrap();
    }
    // PNGs are already compressed: the build writes no variant for them.
    std::fs::write(dist.join("icons/icon-192.png"), b"\x89PNG not really").unwrap();
    let db = target.open();
    let token = db.add_worker("travailleuse-a");
    let coordinator = db.add_coordinator("coordination");
    drop(db);
    (TestServer::start_on(target, token), coordinator)
}

#[test]
fn hashed_assets_come_precompressed_and_are_cached_for_good() {
    let (s, _) = server_on_built_dist();
    for (name, seed, kind) in [
        (WASM, "wasm", "application/wasm"),
        (APP_WASM, "app", "application/wasm"),
        (JS, "js", "javascript"),
        (CSS, "css", "text/css"),
    ] {
        let original = asset_bytes(seed);
        let path = format!("/{name}");
        // What Chromium sends.
        let br = get(&s, &path, Some("gzip, deflate, br, zstd"), None);
        assert_eq!((br.status, br.encoding.as_str()), (200, "br"), "{name}");
        assert!(
            br.content_type.contains(kind),
            "{name}: {}",
            br.content_type
        );
        assert_eq!(br.cache, "public, max-age=31536000, immutable", "{name}");
        assert!(br.vary.to_ascii_lowercase().contains("accept-encoding"));
        assert!(br.body.len() * 5 < original.len(), "{name}: not the .br");
        assert_eq!(br.decoded(), original, "{name}");
        // An older browser or a proxy that only takes gzip.
        let gz = get(&s, &path, Some("gzip"), None);
        assert_eq!((gz.status, gz.encoding.as_str()), (200, "gzip"), "{name}");
        assert_eq!(gz.cache, "public, max-age=31536000, immutable");
        assert!(gz.vary.to_ascii_lowercase().contains("accept-encoding"));
        assert_eq!(gz.decoded(), original, "{name}");
        // No encoding accepted: the plain file.
        let plain = get(&s, &path, None, None);
        assert_eq!((plain.status, plain.encoding.as_str()), (200, ""));
        assert_eq!(plain.body, original, "{name}");
        assert_eq!(plain.cache, "public, max-age=31536000, immutable");
    }
}

#[test]
fn stable_names_are_revalidated_and_compressed_too() {
    let (s, _) = server_on_built_dist();
    for path in [
        "/",
        "/index.html",
        "/some/deep/link",
        "/sw.js",
        "/manifest.webmanifest",
    ] {
        let got = get(&s, path, Some("br, gzip"), None);
        assert_eq!((got.status, got.encoding.as_str()), (200, "br"), "{path}");
        assert_eq!(got.cache, "no-cache", "{path}");
        assert!(got.vary.to_ascii_lowercase().contains("accept-encoding"));
        let expected = match path {
            "/sw.js" => asset_bytes("sw"),
            "/manifest.webmanifest" => asset_bytes("manifest"),
            _ => INDEX.as_bytes().to_vec(),
        };
        assert_eq!(got.decoded(), expected, "{path}");
    }
    let icon = get(&s, "/icons/icon-192.png", Some("br, gzip"), None);
    assert_eq!((icon.status, icon.encoding.as_str()), (200, ""));
    assert_eq!(icon.cache, "public, max-age=86400");
    assert_eq!(icon.body, b"\x89PNG not really");
}

#[test]
fn a_missing_hashed_file_is_never_cached_for_good() {
    // After a deploy an old page may ask for the previous build's wasm: it gets the app's
    // page (the client-side fallback), which must not stick under that name.
    let (s, _) = server_on_built_dist();
    let got = get(&s, "/carnet-aaaaaaaaaaaaaaaa_bg.wasm", Some("br"), None);
    assert_eq!(got.status, 200);
    assert!(got.content_type.starts_with("text/html"));
    assert_eq!(got.cache, "no-cache");
}

/// A conditional GET: status, `ETag`, `Cache-Control`, whether it carried `Last-Modified`.
fn revalidate(
    s: &TestServer,
    path: &str,
    accept: &str,
    headers: &[(&str, &str)],
) -> (u16, String, String, bool) {
    let mut req = TestServer::agent()
        .get(s.url(path))
        .header("Accept-Encoding", accept);
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let resp = req.call().unwrap();
    let h = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    (
        resp.status().as_u16(),
        h("etag"),
        h("cache-control"),
        resp.headers().contains_key("last-modified"),
    )
}

#[test]
fn stable_names_are_validated_by_content_hashed_files_by_time() {
    let (s, _) = server_on_built_dist();
    for path in [
        "/",
        "/index.html",
        "/sw.js",
        "/manifest.webmanifest",
        "/icons/icon-192.png",
    ] {
        let (status, tag, cache, last_modified) = revalidate(&s, path, "br", &[]);
        assert_eq!(status, 200, "{path}");
        assert!(
            tag.starts_with('"') && tag.len() == 34,
            "{path}: a strong tag, {tag}"
        );
        assert!(!last_modified, "{path}: no time to validate by");
        let (again, same, cache_304, _) = revalidate(&s, path, "br", &[("If-None-Match", &tag)]);
        assert_eq!((again, same.as_str()), (304, tag.as_str()), "{path}");
        assert_eq!(cache_304, cache, "{path}");
        // Weak comparison, lists and `*`, as RFC 9110 says for If-None-Match.
        for header in [format!("W/{tag}"), format!("\"x\", {tag}"), "*".to_owned()] {
            assert_eq!(
                revalidate(&s, path, "br", &[("If-None-Match", &header)]).0,
                304,
                "{path} {header}"
            );
        }
        // A date alone never makes a 304: only the content does.
        let (by_date, ..) = revalidate(
            &s,
            path,
            "br",
            &[("If-Modified-Since", "Fri, 01 Jan 2100 00:00:00 GMT")],
        );
        assert_eq!(by_date, 200, "{path}");
    }
    // Each encoding is its own representation, with its own tag.
    let br = revalidate(&s, "/sw.js", "br", &[]).1;
    let gz = revalidate(&s, "/sw.js", "gzip", &[]).1;
    let plain = revalidate(&s, "/sw.js", "identity", &[]).1;
    assert!(br != gz && gz != plain && br != plain);
    assert_eq!(
        revalidate(&s, "/sw.js", "gzip", &[("If-None-Match", &br)]).0,
        200
    );
    // Hashed files never change under their name: validated by time as before. Asked in
    // the encoding the revalidation asks for: each encoding is its own file, with its own
    // time (written a second apart, the brotli one was newer than the time of another).
    let wasm = TestServer::agent()
        .get(s.url(&format!("/{WASM}")))
        .header("Accept-Encoding", "br")
        .call()
        .unwrap();
    let modified = wasm.headers()["last-modified"].to_str().unwrap().to_owned();
    let (again, _, cache, _) = revalidate(
        &s,
        &format!("/{WASM}"),
        "br",
        &[("If-Modified-Since", &modified)],
    );
    assert_eq!(again, 304);
    assert_eq!(cache, "public, max-age=31536000, immutable");
}

#[test]
fn a_build_with_older_file_times_still_reaches_the_phone() {
    // A rollback redeploys the previous release; reproducible builds set every file's time
    // to one value. Either way the new files can be older than what the phone holds.
    let (s, _) = server_on_built_dist();
    let dist = s.target.dist();
    let (_, tag_a, ..) = revalidate(&s, "/sw.js", "br", &[]);
    let modified_a = TestServer::agent()
        .get(s.url(&format!("/{JS}")))
        .call()
        .unwrap()
        .headers()["last-modified"]
        .to_str()
        .unwrap()
        .to_owned();
    let long_ago =
        std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
    let build_b = asset_bytes("sw of build B");
    for (name, bytes) in [
        ("sw.js".to_owned(), build_b.clone()),
        ("sw.js.br".to_owned(), brotli(&build_b)),
        ("sw.js.gz".to_owned(), gzip(&build_b)),
    ] {
        std::fs::write(dist.join(&name), &bytes).unwrap();
        std::fs::File::options()
            .write(true)
            .open(dist.join(&name))
            .unwrap()
            .set_modified(long_ago)
            .unwrap();
    }
    // What a browser that kept build A sends: its tag, and the time it saw.
    let (status, tag_b, ..) = revalidate(
        &s,
        "/sw.js",
        "br",
        &[
            ("If-None-Match", &tag_a),
            ("If-Modified-Since", &modified_a),
        ],
    );
    assert_eq!(status, 200, "build B is sent although its files are older");
    assert_ne!(tag_b, tag_a);
    let got = get(&s, "/sw.js", Some("br"), None);
    assert_eq!(got.decoded(), build_b);
    assert_eq!(
        revalidate(&s, "/sw.js", "br", &[("If-None-Match", &tag_b)]).0,
        304
    );
}

#[test]
fn api_answers_are_compressed_on_the_fly_and_never_stored() {
    let (s, coordinator) = server_on_built_dist();
    let plain = get(&s, "/api/v1/taxonomy", None, None);
    assert_eq!((plain.status, plain.encoding.as_str()), (200, ""));
    for accept in ["br", "gzip"] {
        let got = get(&s, "/api/v1/taxonomy", Some(accept), None);
        assert_eq!((got.status, got.encoding.as_str()), (200, accept));
        assert_eq!(got.cache, "no-store");
        assert!(got.vary.to_ascii_lowercase().contains("accept-encoding"));
        assert!(got.body.len() * 2 < plain.body.len(), "{accept}");
        assert_eq!(got.decoded(), plain.body);
    }
    let report = "/api/v1/report?from=2026-01-01&to=2026-12-31&program=catwoman";
    for path in [report.to_owned(), format!("{report}&format=csv")] {
        let plain = get(&s, &path, None, Some(&coordinator));
        assert_eq!(plain.status, 200, "{path}");
        let got = get(&s, &path, Some("br, gzip"), Some(&coordinator));
        assert_eq!((got.status, got.encoding.as_str()), (200, "br"), "{path}");
        assert_eq!(got.cache, "no-store");
        assert!(got.body.len() < plain.body.len(), "{path}");
        assert_eq!(got.decoded(), plain.body, "{path}");
    }
    // A spreadsheet is a zip: compressing it again would only cost time.
    let xlsx = get(
        &s,
        &format!("{report}&format=xlsx"),
        Some("br, gzip"),
        Some(&coordinator),
    );
    assert_eq!((xlsx.status, xlsx.encoding.as_str()), (200, ""));
    assert!(xlsx.content_type.contains("spreadsheetml"));
    assert!(xlsx.body.starts_with(b"PK"));
}
