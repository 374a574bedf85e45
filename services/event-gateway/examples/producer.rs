//! Registers a schema and sends events through a running event-gateway.
//!
//! `cargo run -p event-gateway --example producer -- fruits [count]` sends `Fruits` events
//! (`{"fruit": "apple"}`, ...); `colors` sends `Colors` events (`{"color": "red"}`, ...).
//! Every event goes to the client `example`; `BASE_URL` defaults to `http://127.0.0.1:8784`.

use serde_json::{Value, json};

fn stream(kind: &str) -> anyhow::Result<(&'static str, Value, Vec<Value>)> {
    match kind {
        "fruits" => Ok((
            "Fruits",
            json!({"type": "object", "properties": {"fruit": {"type": "string", "minLength": 1}},
                   "required": ["fruit"], "additionalProperties": false}),
            ["apple", "banana", "cherry"]
                .iter()
                .map(|f| json!({"fruit": f}))
                .collect(),
        )),
        "colors" => Ok((
            "Colors",
            json!({"type": "object", "properties": {"color": {"enum": ["red", "green", "blue"]}},
                   "required": ["color"]}),
            ["red", "green", "blue"]
                .iter()
                .map(|c| json!({"color": c}))
                .collect(),
        )),
        other => anyhow::bail!("unknown stream '{other}': expected 'fruits' or 'colors'"),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let kind = args.next().unwrap_or_else(|| "fruits".to_owned());
    let count: usize = args.next().map(|n| n.parse()).transpose()?.unwrap_or(3);
    let base = std::env::var("BASE_URL").unwrap_or_else(|_| "http://127.0.0.1:8784".to_owned());
    let (event, schema, samples) = stream(&kind)?;
    let http = reqwest::Client::new();

    let registered = http
        .post(format!("{base}/example/{event}/register_event"))
        .json(&schema)
        .send()
        .await?;
    println!(
        "register {event}: {} {}",
        registered.status(),
        registered.text().await?
    );
    for body in samples.iter().cycle().take(count) {
        let sent = http
            .post(format!("{base}/example/{event}/send_event"))
            .json(body)
            .send()
            .await?;
        println!("send {body}: {} {}", sent.status(), sent.text().await?);
    }
    // One that the schema refuses, to show the 422.
    let bad = json!({"fruit": 42, "color": "purple"});
    let refused = http
        .post(format!("{base}/example/{event}/send_event"))
        .json(&bad)
        .send()
        .await?;
    println!("send {bad}: {} {}", refused.status(), refused.text().await?);
    Ok(())
}
