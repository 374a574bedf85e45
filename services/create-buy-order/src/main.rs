//! create-buy-order: `PUT /buy_order` and the outbox relay.

use create_buy_order::{config::Config, startup::Application};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if let Err(message) = telemetry::init("create-buy-order") {
        eprintln!("{message}");
        std::process::exit(1);
    }
    let config: Config = match env_config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("create-buy-order: {error}");
            std::process::exit(1);
        }
    };
    let shutdown = http_kit::shutdown_on_signals();
    let application = Application::build(config, shutdown).await?;
    tracing::info!(port = application.port(), "create-buy-order listening");
    application.run_until_stopped().await?;
    Ok(())
}
