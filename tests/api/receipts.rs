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

/// A receipt file made after a reload fetches the submitted code: it is the
/// code whose SHA-256 each receipt line records, served only to the browser
/// that took the attempt.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_submitted_code_matches_the_receipts_hashes_and_is_served_only_after_submitting() {
    use sha2::{Digest, Sha256};
    let app = spawn_app().await;
    let w = world(&app).await;
    let mut client = ExamClient::student(&app, &w).await;
    let before = client.get(&app, "submission").await;
    assert_eq!(before.status(), 404, "nothing is submitted yet");
    let question = client.question(0);
    client.type_text(&question, "print('handed in')");
    client.flush(&app).await;
    let submitted: Value = client.submit(&app).await.json().await.unwrap();
    let receipt = submitted["receipt"].clone();

    let code: Value = client.get(&app, "submission").await.json().await.unwrap();
    assert_eq!(code["submission_id"], receipt["submission_id"]);
    let answers = code["answers"].as_array().unwrap();
    assert_eq!(answers.len(), receipt["answers"].as_array().unwrap().len());
    for line in receipt["answers"].as_array().unwrap() {
        let answer = answers.iter().find(|a| a["question_id"] == line["question_id"]).unwrap();
        let sha = hex::encode(Sha256::digest(answer["code"].as_str().unwrap().as_bytes()));
        assert_eq!(line["sha256"].as_str(), Some(sha.as_str()), "{line}");
    }
    assert!(answers.iter().any(|a| a["code"].as_str().unwrap().ends_with("print('handed in')")));
    // Only the browser that took the attempt: the same student elsewhere
    // (a phone, after leaving the hall early) gets nothing to pass on.
    let elsewhere = app.as_(&w.student).raw(reqwest::Method::GET, &format!("{}/submission", client.base), None).await;
    assert_eq!(elsewhere.status(), 403);
    let mut forged = ExamClient { secret: "0".repeat(64), ..client };
    let wrong = forged.get(&app, "submission").await;
    assert_eq!(wrong.status(), 403);
    forged.secret.clear();
    app.stop().await;
}
