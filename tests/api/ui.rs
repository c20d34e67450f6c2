//! The embedded front end: content types, caching, compression, fallbacks.

use crate::helpers::spawn_app;

#[tokio::test]
async fn page_paths_get_the_app_shell_revalidated_on_every_load() {
    let app = spawn_app().await;
    for path in ["/", "/check", "/exams/some/deep/page", "/link/platform.0123abcd"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.headers()["cache-control"], "no-cache", "{path}");
        assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        assert!(response.text().await.unwrap().contains("<div id=\"app\""), "{path}");
    }
    app.stop().await;
}

/// The first script the shell references, e.g. `/assets/index-AbC123.js`.
async fn a_hashed_script(app: &crate::helpers::TestApp) -> String {
    let shell = app.get("/").await.text().await.unwrap();
    let start = shell.find("/assets/").expect("the shell references hashed assets");
    let end = start + shell[start..].find('"').unwrap();
    shell[start..end].to_owned()
}

#[tokio::test]
async fn hashed_assets_are_immutable_precompressed_and_revalidate_with_304() {
    let app = spawn_app().await;
    let script = a_hashed_script(&app).await;
    let plain = app.client.get(app.url(&script)).header("accept-encoding", "identity").send().await.unwrap();
    assert_eq!(plain.status(), 200);
    assert_eq!(plain.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert!(plain.headers()["content-type"].to_str().unwrap().starts_with("text/javascript"));
    assert!(plain.headers().get("content-encoding").is_none());
    let etag = plain.headers()["etag"].clone();
    let plain_len = plain.bytes().await.unwrap().len();

    let brotli = app.client.get(app.url(&script)).header("accept-encoding", "gzip, br").send().await.unwrap();
    assert_eq!(brotli.headers()["content-encoding"], "br");
    assert_eq!(brotli.headers()["vary"], "accept-encoding");
    assert_ne!(brotli.headers()["etag"], etag, "each encoding has its own tag");
    assert!(brotli.bytes().await.unwrap().len() < plain_len);

    let gzip = app.client.get(app.url(&script)).header("accept-encoding", "gzip, br;q=0").send().await.unwrap();
    assert_eq!(gzip.headers()["content-encoding"], "gzip");

    let again = app
        .client
        .get(app.url(&script))
        .header("accept-encoding", "identity")
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert!(again.bytes().await.unwrap().is_empty());
    app.stop().await;
}

#[tokio::test]
async fn pyodide_is_served_from_its_versioned_path_with_the_wasm_type() {
    let app = spawn_app().await;
    let base = format!("/pyodide/{}/", examhall::version::PYODIDE);
    let wasm = app
        .client
        .get(app.url(&format!("{base}pyodide.asm.wasm")))
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(wasm.status(), 200);
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    assert_eq!(wasm.headers()["content-encoding"], "br");
    assert_eq!(wasm.headers()["cache-control"], "public, max-age=31536000, immutable");
    for file in ["pyodide.mjs", "pyodide.asm.mjs", "pyodide-lock.json", "python_stdlib.zip"] {
        let response = app.get(&format!("{base}{file}")).await;
        assert_eq!(response.status(), 200, "{file}");
    }
    assert_eq!(app.get("/pyodide/0.0.1/pyodide.mjs").await.status(), 404);
    app.stop().await;
}

#[tokio::test]
async fn missing_files_are_404_not_the_shell() {
    let app = spawn_app().await;
    for path in
        ["/assets/nope.js", "/favicon-missing.ico", "/pyodide/x", "/assets/python-sandbox-0000000000000000.html"]
    {
        let response = app.get(path).await;
        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(response.headers()["content-type"], "application/problem+json");
    }
    app.stop().await;
}
