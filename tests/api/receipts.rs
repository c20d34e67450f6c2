//! A student's receipt is signed by the appliance: the signature of its
//! SHA-256 checks with the appliance's public key, through `examhall receipt
//! verify` and with openssl as the documented procedure says, and fails for
//! any other hash.

use serde_json::Value;

use crate::backups::{cli, data};
use crate::exam_client::ExamClient;
use crate::helpers::spawn_app;
use crate::people::world;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receipt_is_signed_and_the_signature_checks_only_for_its_own_hash() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let mut client = ExamClient::student(&app, &w).await;
    let question = client.question(0);
    client.type_text(&question, "print('handed in')");
    client.flush(&app).await;
    let submitted: Value = client.submit(&app).await.json().await.unwrap();
    let again: Value = app.as_(&w.student).receipt(w.open_exam).await.json().await.unwrap();
    assert_eq!(submitted["signature"], again["signature"], "the same receipt, the same signature");
    let (sha256, signature) = (submitted["sha256"].as_str().unwrap(), submitted["signature"].as_str().unwrap());
    assert_eq!(signature.len(), 128, "{submitted}");
    let key = app.state.signing_key().await.unwrap().public();
    assert_eq!(submitted["signing_key"], key.fingerprint());

    let data = data(&app);
    let verify = |sha: &str| {
        let args = ["receipt", "verify", "--sha256", sha, "--signature", signature, "--data-dir", &data];
        cli(args.iter().map(|&a| a.to_owned()).collect())
    };
    let (code, text) = verify(sha256).await;
    assert_eq!(code, Some(0), "{text}");
    let mut other = sha256.to_owned();
    other.replace_range(0..1, if sha256.starts_with('0') { "1" } else { "0" });
    let (code, text) = verify(&other).await;
    assert_eq!(code, Some(4), "another hash: {text}");

    // The documented procedure, with openssl and the appliance's signing.pub.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("message"), format!("examhall-receipt-sha256:{sha256}")).unwrap();
    std::fs::write(dir.path().join("signature"), hex::decode(signature).unwrap()).unwrap();
    let output = std::process::Command::new("openssl")
        .args(["pkeyutl", "-verify", "-pubin", "-rawin", "-inkey"])
        .arg(app.data_dir.path().join("signing.pub"))
        .arg("-in")
        .arg(dir.path().join("message"))
        .arg("-sigfile")
        .arg(dir.path().join("signature"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stdout));
    app.stop().await;
}
