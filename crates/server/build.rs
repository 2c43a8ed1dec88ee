//! Whether the tests are built with a PostgreSQL to run on: `cfg(carnet_postgres)` when
//! `CARNET_TEST_DATABASE_URL` is set (by `scripts/postgres.sh`), or when
//! `CARNET_REQUIRE_POSTGRES=1` demands one (CI, where a missing database must fail the
//! tests). Without it the PostgreSQL variants are built `#[ignore]`d, so `cargo test`
//! reports them as ignored instead of passing without running.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(carnet_postgres)");
    println!("cargo::rerun-if-env-changed=CARNET_TEST_DATABASE_URL");
    println!("cargo::rerun-if-env-changed=CARNET_REQUIRE_POSTGRES");
    let given = std::env::var("CARNET_TEST_DATABASE_URL").is_ok_and(|url| !url.is_empty());
    let required = std::env::var("CARNET_REQUIRE_POSTGRES").as_deref() == Ok("1");
    if given || required {
        println!("cargo::rustc-cfg=carnet_postgres");
    }
}
