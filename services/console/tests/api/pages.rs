//! The page and its files come from the console itself; nothing points at another host.

use crate::helpers::spawn_console;

#[tokio::test]
async fn the_page_and_its_files_are_served_by_the_console_with_a_strict_policy() {
    let console = spawn_console(&[]).await;
    let response = reqwest::get(format!("{}/", console.address)).await.unwrap();
    assert_eq!(response.status(), 200);
    let policy = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(policy.contains("script-src 'self'") && policy.contains("connect-src 'self'"));
    let page = response.text().await.unwrap();
    for file in ["app.js", "style.css", "uPlot.iife.min.js", "uPlot.min.css"] {
        assert!(page.contains(&format!("/static/{file}")), "{file}");
        let response = reqwest::get(format!("{}/static/{file}", console.address))
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{file}");
        let text = response.text().await.unwrap();
        assert!(text.len() > 500, "{file}");
        // Our own files load nothing from elsewhere (uPlot's only URLs are XML namespaces).
        if !file.starts_with("uPlot") {
            assert!(
                !text.contains("http://") && !text.contains("https://"),
                "{file}"
            );
        }
    }
    assert!(!page.contains("http://") && !page.contains("https://"));
    let missing = reqwest::get(format!("{}/static/../Cargo.toml", console.address))
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let docs = reqwest::get(format!("{}/docs", console.address))
        .await
        .unwrap();
    assert_eq!(docs.status(), 200);
}
