use crate::helpers::spawn_app;

#[tokio::test]
async fn v2_without_count_is_an_array_of_one() {
    let app = spawn_app().await;
    let response = app.get("/v2/forward").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "[1]");
    assert_eq!(
        app.get("/v2/reverse").await.text().await.unwrap(),
        "[9223372036854775807]"
    );
}

#[tokio::test]
async fn v2_forward_returns_count_ascending_numbers() {
    let app = spawn_app().await;
    assert_eq!(app.batch("forward", 5).await, vec![1, 2, 3, 4, 5]);
    assert_eq!(
        app.batch("forward", 100).await,
        (6..=105).collect::<Vec<i64>>()
    );
}

#[tokio::test]
async fn v2_reverse_returns_count_descending_numbers_as_exact_integers() {
    let app = spawn_app().await;
    let response = app.get("/v2/reverse?count=3").await;
    assert_eq!(
        response.text().await.unwrap(),
        "[9223372036854775807,9223372036854775806,9223372036854775805]"
    );
}

#[tokio::test]
async fn every_bad_count_is_400_naming_the_limit() {
    let app = spawn_app().await;
    let bad = [
        "0",
        "-1",
        "-100",
        "abc",
        "101",
        "1.5",
        "",
        "1e2",
        "99999999999999999999",
        "18446744073709551617",
    ];
    for direction in ["forward", "reverse"] {
        for count in bad {
            let response = app.get(&format!("/v2/{direction}?count={count}")).await;
            assert_eq!(response.status(), 400, "{direction} count={count}");
            let body: serde_json::Value = response.json().await.unwrap();
            assert_eq!(body["error"]["code"], "invalid_count", "count={count}");
            assert_eq!(body["error"]["field"], "count");
            assert!(
                body["error"]["message"].as_str().unwrap().contains("100"),
                "count={count}"
            );
        }
    }
    // Nothing was drawn by the rejected requests.
    assert_eq!(app.batch("forward", 1).await, vec![1]);
}
