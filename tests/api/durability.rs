//! The writer acknowledges only durable data: a process killed with SIGKILL
//! at a random moment, again and again, never loses an acknowledged row.
//!
//! The test re-runs this test binary as a child that writes through the real
//! writer and prints each acknowledged id; the parent kills it mid-stream,
//! reopens the database and checks every printed id is there.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;

use examhall::store::platform::Platform;
use examhall::store::{OpenOptions, master_key};

const CHILD_ENV: &str = "EXAMHALL_TEST_DURABILITY_CHILD";
const ROUNDS: usize = 6;

fn platform(dir: &std::path::Path, create: bool) -> Platform {
    let config = crate::helpers::config_for(dir);
    if create {
        examhall::cli::init::initialise(&config, &[]).unwrap();
    }
    let master = master_key::load(&config.master_key_file()).unwrap();
    Platform::open(&config.data(), Arc::new(master), OpenOptions::default()).unwrap()
}

/// The child: writes rows from 100 concurrent tasks until killed.
#[tokio::test]
#[ignore = "run only as the child of every_acknowledged_write_survives_sigkill"]
async fn durability_child_writes_until_killed() {
    let Ok(dir) = std::env::var(CHILD_ENV) else { return };
    let platform = platform(std::path::Path::new(&dir), false);
    let org = platform.list_orgs().await.unwrap().remove(0);
    let db = platform.open_org(org.id).await.unwrap();
    let round: i64 = std::env::var("ROUND").unwrap().parse().unwrap();
    let mut tasks = Vec::new();
    for task in 0..100_i64 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            for n in 0..1_000_000_i64 {
                let id = round * 1_000_000_000 + task * 1_000_000 + n;
                db.write(move |conn| Ok(conn.execute("INSERT INTO acked(id) VALUES (?1)", [id])?)).await.unwrap();
                println!("{id}");
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
}

#[tokio::test]
async fn every_acknowledged_write_survives_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let platform = platform(dir.path(), true);
    let org = platform
        .create_org(
            examhall::domain::OrgSlug::parse("physics").unwrap(),
            examhall::domain::OrgName::parse("Physics").unwrap(),
            examhall::store::audit::AuditEvent::by(&examhall::store::audit::Actor::system(), "org.create"),
            time::OffsetDateTime::UNIX_EPOCH,
        )
        .await
        .unwrap();
    let db = platform.open_org(org.id).await.unwrap();
    db.write(|conn| Ok(conn.execute_batch("CREATE TABLE acked(id INTEGER PRIMARY KEY)")?)).await.unwrap();
    db.close().await;
    drop(db);

    let mut acknowledged: Vec<i64> = Vec::new();
    for round in 0..ROUNDS {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "durability::durability_child_writes_until_killed",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, dir.path())
            .env("ROUND", round.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        // Kill after a varying number of acknowledgements (bounded).
        let kill_after = 300 + round * 250;
        let mut seen = 0;
        while seen < kill_after {
            let Some(Ok(line)) = lines.next() else { break };
            if let Ok(id) = line.trim().parse::<i64>() {
                acknowledged.push(id);
                seen += 1;
            }
        }
        child.kill().unwrap();
        // Acknowledgements already printed before the kill count too.
        for line in lines.map_while(Result::ok) {
            if let Ok(id) = line.trim().parse::<i64>() {
                acknowledged.push(id);
            }
        }
        child.wait().unwrap();
        assert!(seen >= kill_after, "round {round}: the child stopped after {seen} writes");
    }
    let db = platform.open_org(org.id).await.unwrap();
    let stored: std::collections::HashSet<i64> = db
        .read(|conn| {
            let mut statement = conn.prepare("SELECT id FROM acked")?;
            let ids = statement.query_map([], |row| row.get(0))?;
            Ok(ids.collect::<Result<_, _>>()?)
        })
        .await
        .unwrap();
    let lost: Vec<_> = acknowledged.iter().filter(|id| !stored.contains(id)).collect();
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged rows lost, e.g. {:?}",
        lost.len(),
        acknowledged.len(),
        &lost[..lost.len().min(5)]
    );
    assert!(acknowledged.len() >= 300 * ROUNDS);
}
