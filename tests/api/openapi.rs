//! The OpenAPI document names exactly the routes the server declares, and
//! says which need no session: the same open routes the access matrix knows.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::access::declared_routes;
use crate::access_cases::OPEN;
use crate::helpers::spawn_app;

#[tokio::test]
async fn the_openapi_document_names_every_declared_route_and_which_are_open() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/openapi.json").await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    let document: Value = response.json().await.unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    let mut documented = BTreeSet::new();
    let mut open = BTreeSet::new();
    for (path, operations) in document["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            let key = (method.to_uppercase(), path.clone());
            if operation["security"].as_array().unwrap().is_empty() {
                open.insert(key.clone());
            }
            let parameters = operation["parameters"].as_array().unwrap().len();
            assert_eq!(parameters, path.matches('{').count(), "{method} {path}: every path parameter is described");
            documented.insert(key);
        }
    }
    let declared: BTreeSet<(String, String)> = declared_routes().into_iter().collect();
    assert!(declared.len() > 50, "the route table is read: {declared:?}");
    let missing: Vec<_> = declared.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&declared).collect();
    assert!(missing.is_empty() && extra.is_empty(), "undocumented: {missing:?}; documented but not served: {extra:?}");
    let expected_open: BTreeSet<(String, String)> =
        OPEN.iter().map(|(m, p)| ((*m).to_owned(), (*p).to_owned())).collect();
    assert_eq!(open, expected_open, "the document's open routes are the access matrix's");
    app.stop().await;
}
