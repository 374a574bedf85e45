use crate::helpers::spawn_app;

const MAX: i64 = i64::MAX;

#[tokio::test]
async fn forward_wraps_to_one_after_the_maximum_within_a_batch() {
    let app = spawn_app().await;
    app.set_sequence("forward_sequence", MAX - 2);
    assert_eq!(app.batch("forward", 4).await, vec![MAX - 1, MAX, 1, 2]);
}

#[tokio::test]
async fn reverse_wraps_to_the_maximum_after_one_within_a_batch() {
    let app = spawn_app().await;
    app.set_sequence("reverse_sequence", 3);
    assert_eq!(app.batch("reverse", 4).await, vec![2, 1, MAX, MAX - 1]);
}

#[tokio::test]
async fn v1_wraps_in_both_directions() {
    let app = spawn_app().await;
    app.set_sequence("forward_sequence", MAX);
    app.set_sequence("reverse_sequence", 1);
    assert_eq!(app.get("/v1/forward").await.text().await.unwrap(), "1");
    assert_eq!(
        app.get("/v1/reverse").await.text().await.unwrap(),
        MAX.to_string()
    );
}
