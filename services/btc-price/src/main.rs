//! btc-price: serves the price of 1 BTC in EUR, GBP and USD.

use btc_price::{config::Config, startup::Application};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    telemetry::init_or_exit("btc-price");
    let config: Config = env_config::load_or_exit();
    let shutdown = http_kit::shutdown_on_signals();
    let application = Application::build(config, shutdown).await?;
    tracing::info!(port = application.port(), "btc-price listening");
    application.run_until_stopped().await?;
    Ok(())
}
