//! Encryption at rest, key envelope, and the writer's guarantees.

use examhall::store::StoreError;
use examhall::store::connection;
use examhall::store::keys::DatabaseKey;

use crate::helpers::{files_under, spawn_app};

const CANARY: &str = "CANARY-7f3a9c-plaintext-must-never-reach-disk";

#[tokio::test]
async fn no_database_file_is_plain_sqlite_and_a_canary_never_reaches_disk() {
    let app = spawn_app().await;
    let org = app.create_org("physics", &format!("Physics {CANARY}")).await;
    let db = app.state.registry().org(org.id).await.unwrap();
    db.write(|conn| {
        conn.execute_batch("CREATE TABLE notes(body TEXT)")?;
        for _ in 0..200 {
            conn.execute("INSERT INTO notes VALUES (?1)", [CANARY.repeat(20)])?;
        }
        Ok(())
    })
    .await
    .unwrap();
    // While the server runs the data sits in the -wal files, not yet checkpointed.
    let files = files_under(app.data_dir.path());
    assert!(files.iter().any(|f| f.to_string_lossy().ends_with("-wal")), "{files:?}");
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        assert!(!bytes.starts_with(b"SQLite format 3"), "{} is plain SQLite", file.display());
        assert!(!bytes.windows(CANARY.len()).any(|w| w == CANARY.as_bytes()), "{} holds the canary", file.display());
    }
    let dir = app.stop().await;
    for file in files_under(dir.path()) {
        let bytes = std::fs::read(&file).unwrap();
        assert!(!bytes.windows(CANARY.len()).any(|w| w == CANARY.as_bytes()), "{} after shutdown", file.display());
    }
}

#[tokio::test]
async fn database_files_are_private_to_the_service_user() {
    use std::os::unix::fs::PermissionsExt;
    let app = spawn_app().await;
    app.create_org("physics", "Physics").await;
    for file in files_under(app.data_dir.path()) {
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode & 0o077, 0, "{} has mode {mode:o}", file.display());
    }
    app.stop().await;
}

#[tokio::test]
async fn an_org_database_opened_with_another_key_fails_on_the_first_read() {
    let app = spawn_app().await;
    let org = app.create_org("physics", "Physics").await;
    let path = app.state.registry().platform().data_dir().org_db(org.id);
    let error = connection::open(&path, &DatabaseKey::generate(), false).unwrap_err();
    assert!(matches!(error, StoreError::WrongKey { .. }), "{error}");
    app.stop().await;
}

#[tokio::test]
async fn each_organization_has_its_own_key() {
    let app = spawn_app().await;
    let physics = app.create_org("physics", "Physics").await;
    let chemistry = app.create_org("chemistry", "Chemistry").await;
    let registry = app.state.registry();
    let data = registry.platform().data_dir().clone();
    // Copy physics' file over chemistry's: chemistry's key must not open it.
    registry.close_all().await;
    std::fs::copy(data.org_db(physics.id), data.org_db(chemistry.id)).unwrap();
    let _ = std::fs::remove_file(format!("{}-wal", data.org_db(chemistry.id).display()));
    let opened = registry.platform().open_org(chemistry.id).await;
    let Err(StoreError::OrgRefused(refusal)) = opened else { panic!("{:?}", opened.err()) };
    assert_eq!(refusal.reason, examhall::store::org_refusal::RefusalReason::NotItsKey);
    assert!(refusal.to_string().contains("does not open with chemistry's key"), "{refusal}");
}

#[tokio::test]
async fn a_taken_slug_is_a_conflict_and_leaves_no_file_behind() {
    let app = spawn_app().await;
    app.create_org("physics", "Physics").await;
    let before = files_under(app.data_dir.path()).len();
    let platform = app.state.registry().platform();
    let again = platform
        .create_org(
            examhall::domain::OrgSlug::parse("physics").unwrap(),
            examhall::domain::OrgName::parse("Other").unwrap(),
            examhall::store::audit::AuditEvent::by(&examhall::store::audit::Actor::system(), "org.create"),
            time::OffsetDateTime::UNIX_EPOCH,
        )
        .await;
    assert!(matches!(again, Err(StoreError::Taken(_))));
    assert_eq!(files_under(app.data_dir.path()).len(), before);
    app.stop().await;
}

#[tokio::test]
async fn a_failing_write_rolls_back_only_itself_within_a_group() {
    let app = spawn_app().await;
    let org = app.create_org("physics", "Physics").await;
    let db = app.state.registry().org(org.id).await.unwrap();
    db.write(|conn| Ok(conn.execute_batch("CREATE TABLE t(x INTEGER NOT NULL)")?)).await.unwrap();
    let mut writes = Vec::new();
    for i in 0..300_i64 {
        let db = db.clone();
        writes.push(tokio::spawn(async move {
            db.write(move |conn| {
                conn.execute("INSERT INTO t VALUES (?1)", [i])?;
                if i % 3 == 0 {
                    conn.execute("INSERT INTO t VALUES (NULL)", [])?;
                }
                Ok(i)
            })
            .await
        }));
    }
    let mut acknowledged = Vec::new();
    for write in writes {
        if let Ok(i) = write.await.unwrap() {
            acknowledged.push(i);
        }
    }
    assert_eq!(acknowledged.len(), 200);
    let stored: Vec<i64> = db
        .read(|conn| {
            let mut statement = conn.prepare("SELECT x FROM t ORDER BY x")?;
            let rows = statement.query_map([], |row| row.get(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
        .unwrap();
    acknowledged.sort_unstable();
    assert_eq!(stored, acknowledged);
    app.stop().await;
}

#[tokio::test]
async fn closing_finishes_every_queued_write_and_refuses_later_ones() {
    let app = spawn_app().await;
    let org = app.create_org("physics", "Physics").await;
    let db = app.state.registry().org(org.id).await.unwrap();
    db.write(|conn| Ok(conn.execute_batch("CREATE TABLE t(x INTEGER)")?)).await.unwrap();
    let mut writes = Vec::new();
    for i in 0..500_i64 {
        let db = db.clone();
        writes.push(tokio::spawn(async move {
            db.write(move |conn| Ok(conn.execute("INSERT INTO t VALUES (?1)", [i])?)).await
        }));
    }
    tokio::task::yield_now().await;
    db.close().await;
    let mut acknowledged = 0;
    for write in writes {
        match write.await.unwrap() {
            Ok(_) => acknowledged += 1,
            Err(StoreError::Closed) => {}
            Err(other) => panic!("{other}"),
        }
    }
    assert!(matches!(db.write(|_| Ok(())).await, Err(StoreError::Closed)));
    let stored: i64 = db.read(|conn| Ok(conn.query_row("SELECT count(*) FROM t", [], |r| r.get(0))?)).await.unwrap();
    assert_eq!(stored, acknowledged);
}
