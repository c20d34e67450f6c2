//! An exam's policy: its instructor adjusts the thresholds, the signals are
//! derived anew at once with their decisions still attached, and every
//! change is audited with the old and the new values.

use serde_json::{Value, json};

use crate::exam_client::ExamClient;
use crate::helpers::spawn_app;
use crate::people::world;

#[tokio::test]
async fn signals_are_derived_anew_when_the_policy_changes_and_keep_their_decisions() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let mut client = ExamClient::student(&app, &w).await;
    let question = client.question(0);
    let outside = "y = 2\n".repeat(25);
    client.event_on(&question, "paste", &json!({ "size": outside.len(), "text": outside }));
    client.flush(&app).await;
    let attempt = client.attempt.clone();
    let signals = || async {
        let read = app.as_(&w.reviewer).signals(w.course, w.open_exam, attempt.clone()).await;
        read.json::<Value>().await.unwrap().as_array().unwrap().clone()
    };
    assert_eq!(signals().await, Vec::<Value>::new(), "150 characters is below the standard profile's 200");

    let policy: Value = app.as_(&w.proctor).policy(w.course, w.open_exam).await.json().await.unwrap();
    assert_eq!((policy["profile"].as_str(), policy["adjusted"].as_bool()), (Some("standard"), Some(false)));
    let mut table = policy["profile_thresholds"].clone();
    table["large_paste"] = json!({ "severity": "high", "at": 100 });
    let strict = json!({ "thresholds": table, "proctors_read_code": true, "proctor_extra_minutes": 15 });
    let set = app.as_(&w.instructor).set_policy(w.course, w.open_exam, strict).await;
    assert_eq!(set.status(), 200);
    assert_eq!(set.json::<Value>().await.unwrap()["adjusted"], true);
    let raised = signals().await;
    assert_eq!((raised.len(), raised[0]["severity"].as_str()), (1, Some("high")), "{raised:?}");
    let key = raised[0]["key"].as_str().unwrap().to_owned();
    let noted = json!({ "signal": key, "decision": "noted", "comment": "her own notes file, allowed" });
    let review = app.as_(&w.reviewer).review_signal(w.course, w.open_exam, attempt.clone(), noted).await;
    assert_eq!(review.status(), 201);

    table["large_paste"] = json!({ "severity": "low", "at": 120 });
    let milder = json!({ "thresholds": table, "proctors_read_code": true, "proctor_extra_minutes": 15 });
    assert_eq!(app.as_(&w.instructor).set_policy(w.course, w.open_exam, milder).await.status(), 200);
    let again = signals().await;
    assert_eq!((again[0]["key"].as_str(), again[0]["severity"].as_str()), (Some(key.as_str()), Some("low")));
    assert_eq!(again[0]["reviews"][0]["decision"], "noted", "the decision stays with its signal");

    let reset = json!({ "thresholds": null, "proctors_read_code": false, "proctor_extra_minutes": 0 });
    assert_eq!(app.as_(&w.instructor).set_policy(w.course, w.open_exam, reset).await.status(), 200);
    assert_eq!(signals().await, Vec::<Value>::new(), "back to the profile's table");

    let audit: Value = app.json_of(&w.admin, "/api/v1/org/audit?action=exam.policy").await;
    let entries = audit.as_array().unwrap();
    assert_eq!(entries.len(), 3, "{audit}");
    let last = &entries[0]["details"];
    assert_eq!(last["old"]["thresholds"]["large_paste"], json!({ "severity": "low", "at": 120 }), "{last}");
    assert_eq!(
        (last["new"]["thresholds"].clone(), last["new"]["proctor_extra_minutes"].clone()),
        (json!(null), json!(0))
    );
    assert_eq!(entries[2]["details"]["old"]["proctors_read_code"], false);
    app.stop().await;
}

#[tokio::test]
async fn a_policy_that_cannot_stand_is_refused_whole_and_only_instructors_change_it() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let policy: Value = app.as_(&w.instructor).policy(w.course, w.open_exam).await.json().await.unwrap();
    let table = policy["profile_thresholds"].clone();
    let with = |change: &dyn Fn(&mut Value)| {
        let mut table = table.clone();
        change(&mut table);
        json!({ "thresholds": table, "proctors_read_code": false, "proctor_extra_minutes": 0 })
    };
    let refused = [
        with(&|t| t["history_mismatch"] = Value::Null),
        with(&|t| t["large_paste"]["at"] = json!(0)),
        with(&|t| t["time_away"]["at"]["longest_seconds"] = json!(100_001)),
        with(&|t| t["devtools"]["severity"] = json!("guilty")),
        with(&|t| t["made_up"] = json!(1)),
        with(&|t| {
            t.as_object_mut().unwrap().remove("offline");
        }),
        json!({ "thresholds": null, "proctors_read_code": false, "proctor_extra_minutes": 601 }),
        json!({ "thresholds": null, "proctors_read_code": "yes", "proctor_extra_minutes": 0 }),
    ];
    for body in refused {
        let response = app.as_(&w.instructor).set_policy(w.course, w.open_exam, body.clone()).await;
        assert_eq!(response.status(), 422, "{body}");
        assert_eq!(response.headers()["content-type"], "application/problem+json");
    }
    let off = with(&|t| t["devtools"] = Value::Null);
    for caller in [&w.reviewer, &w.proctor] {
        assert_eq!(app.as_(caller).set_policy(w.course, w.open_exam, off.clone()).await.status(), 404);
    }
    let after: Value = app.as_(&w.instructor).policy(w.course, w.open_exam).await.json().await.unwrap();
    assert_eq!(after, policy, "nothing refused was kept");
    assert_eq!(app.as_(&w.instructor).set_policy(w.course, w.open_exam, off).await.status(), 200);
    let after: Value = app.as_(&w.reviewer).policy(w.course, w.open_exam).await.json().await.unwrap();
    assert_eq!((after["thresholds"]["devtools"].clone(), after["adjusted"].clone()), (Value::Null, json!(true)));
    assert_eq!(after["updated_by_name"], "instructor@physics.example");
    app.stop().await;
}
