//! `rate-cache`: a cache of fiat exchange rates (SPEC §9).

use rate_cache::{config::Config, startup::Application};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if let Err(e) = telemetry::init("rate-cache") {
        eprintln!("{e}");
        std::process::exit(1);
    }
    let config: Config = match env_config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("configuration error: {e}");
            std::process::exit(1);
        }
    };
    let shutdown = http_kit::shutdown_on_signals();
    let application = Application::build(config, shutdown).await?;
    tracing::info!(port = application.port(), "rate-cache listening");
    application.run_until_stopped().await?;
    Ok(())
}
