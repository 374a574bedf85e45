use crate::helpers::spawn_app;

#[tokio::test]
async fn v1_forward_body_is_a_bare_integer_starting_at_one() {
    let app = spawn_app().await;
    let first = app.get("/v1/forward").await;
    assert_eq!(first.status(), 200);
    assert!(
        first.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    assert_eq!(first.text().await.unwrap(), "1");
    assert_eq!(app.get("/v1/forward").await.text().await.unwrap(), "2");
}

#[tokio::test]
async fn v1_reverse_body_is_a_bare_integer_starting_at_the_maximum() {
    let app = spawn_app().await;
    let first = app.get("/v1/reverse").await;
    assert_eq!(first.status(), 200);
    assert!(
        first.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    assert_eq!(first.text().await.unwrap(), "9223372036854775807");
    assert_eq!(
        app.get("/v1/reverse").await.text().await.unwrap(),
        "9223372036854775806"
    );
}

#[tokio::test]
async fn unknown_paths_are_404_in_the_envelope() {
    let app = spawn_app().await;
    for path in ["/v1/sideways", "/v3/forward", "/v2"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 404, "{path}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "not_found", "{path}");
    }
}
