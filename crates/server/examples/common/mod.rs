//! What the server's benches share: a PostgreSQL database of their own for a run, and
//! their percentiles in milliseconds.

use std::time::Duration;

use carnet_server::store::Database;

/// Runs `sql` on the PostgreSQL server at `url`, outside any transaction (`CREATE DATABASE`
/// and `DROP DATABASE` refuse one).
fn admin(url: &str, sql: &str) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .expect("cannot reach PostgreSQL");
        tokio::spawn(connection);
        client.batch_execute(sql).await.expect(sql);
    });
}

/// Creates a database of the bench's own (`<prefix>_<pid>`) on the server `url` points to
/// (any database there to connect to); returns it and its name for [`drop_database`].
pub fn create_database(url: &str, prefix: &str) -> (Database, String) {
    let name = format!("{prefix}_{}", std::process::id());
    admin(url, &format!("CREATE DATABASE {name}"));
    let (base, _) = url.rsplit_once('/').expect("a URL with a database");
    (Database::Postgres(format!("{base}/{name}")), name)
}

/// Drops the database [`create_database`] made, even with connections still open.
pub fn drop_database(url: &str, name: &str) {
    admin(url, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
}

/// What autovacuum does within a minute of a bulk load, on PostgreSQL: the visibility map
/// and the planner's statistics, so a bench times the settled database a server runs on.
#[allow(dead_code)] // the report benches' only
pub fn settle(database: &Database) {
    if let Database::Postgres(url) = database {
        admin(url, "VACUUM ANALYZE");
    }
}

/// The value at fraction `p` (0 to 1) of durations sorted in increasing order.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
