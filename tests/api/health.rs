use crate::helpers::spawn_app;

#[tokio::test]
async fn healthz_and_readyz_answer_200_without_sign_in_or_detail() {
    let app = spawn_app().await;
    for path in ["/healthz", "/readyz"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert!(response.text().await.unwrap().is_empty(), "{path} says nothing about the data");
    }
    app.stop().await;
}

#[tokio::test]
async fn unknown_api_paths_are_problem_json_404s() {
    let app = spawn_app().await;
    for path in ["/api/v1/nothing-here", "/api", "/api/v1/orgs/../../etc/passwd"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(response.headers()["content-type"], "application/problem+json", "{path}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["type"], "urn:examhall:problem:not-found");
        assert_eq!(body["status"], 404);
    }
    app.stop().await;
}

#[tokio::test]
async fn an_oversized_body_is_refused_with_413_problem_json() {
    let app = spawn_app().await;
    let response = app.client.post(app.url("/api/v1/anything")).body(vec![b'x'; 3 * 1024 * 1024]).send().await.unwrap();
    assert_eq!(response.status(), 413);
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    app.stop().await;
}

#[tokio::test]
async fn the_redirect_listener_sends_browsers_to_https_and_the_loopback_listener_serves_the_app() {
    let app = crate::helpers::spawn_app_with(crate::helpers::exam_day(), |config| {
        config.server.redirect_listen = Some("127.0.0.1:0".parse().unwrap());
        config.server.loopback_http_listen = Some("127.0.0.1:0".parse().unwrap());
    })
    .await;
    let redirect_port = app.redirect_address.unwrap().port();
    let loopback_port = app.loopback_address.unwrap().port();
    let plain = crate::helpers::client_builder(&app.state.config().tls_files().0)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = plain
        .get(format!("http://127.0.0.1:{redirect_port}/exams/1?x=2"))
        .header("host", "exams.example.edu")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 308);
    assert_eq!(response.headers()["location"], format!("https://exams.example.edu:{}/exams/1?x=2", app.address.port()));
    let response = plain.get(format!("http://127.0.0.1:{loopback_port}/readyz")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    app.stop().await;
}
