//! Amounts in exponent notation, as a JSON number or a string: parsed exactly, or refused with
//! 422 and nothing stored; never rounded to a nearby amount.

use crate::helpers::{json_of, spawn_app};

#[tokio::test]
async fn an_exponent_amount_is_parsed_exactly_or_refused() {
    let (app, _prices) = spawn_app().await;
    for (amount, stored) in [("1e2", "100.00"), ("\"1.5E+1\"", "15.00")] {
        let body = format!(r#"{{"currency":"EUR","amount":{amount}}}"#);
        let key = uuid::Uuid::new_v4().to_string();
        let response = app.put_raw(&body, Some(&key)).await;
        assert_eq!(response.status(), 201, "{amount}");
        assert_eq!(json_of(response).await["amount"], stored, "{amount}");
    }
    let before = app.count("buy_orders");
    for amount in [
        "1.00500000000000000000000000000001e2",
        "\"1.2345e1\"",
        "1e400",
    ] {
        let body = format!(r#"{{"currency":"EUR","amount":{amount}}}"#);
        let key = uuid::Uuid::new_v4().to_string();
        let response = app.put_raw(&body, Some(&key)).await;
        assert_eq!(response.status(), 422, "{amount}");
    }
    assert_eq!(
        app.count("buy_orders"),
        before,
        "nothing stored for a refused amount"
    );
}
