//! btc-price: serves the price of 1 BTC in EUR, GBP and USD.

use btc_price::{config::Config, startup::Application};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if let Err(message) = telemetry::init("btc-price") {
        eprintln!("{message}");
        std::process::exit(1);
    }
    let config: Config = match env_config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("btc-price: {error}");
            std::process::exit(1);
        }
    };
    let shutdown = http_kit::shutdown_on_signals();
    let application = Application::build(config, shutdown).await?;
    tracing::info!(port = application.port(), "btc-price listening");
    application.run_until_stopped().await?;
    Ok(())
}
