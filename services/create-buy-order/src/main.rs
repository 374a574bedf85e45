//! create-buy-order: `PUT /buy_order` and the outbox relay.

use create_buy_order::{config::Config, startup::Application};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    telemetry::init_or_exit("create-buy-order");
    let config: Config = env_config::load_or_exit();
    let shutdown = http_kit::shutdown_on_signals();
    let application = Application::build(config, shutdown).await?;
    tracing::info!(port = application.port(), "create-buy-order listening");
    application.run_until_stopped().await?;
    Ok(())
}
