//! `rate-cache`: a cache of fiat exchange rates (SPEC §9).

use rate_cache::{config::Config, startup::Application};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    telemetry::init_or_exit("rate-cache");
    let config: Config = env_config::load_or_exit();
    let shutdown = http_kit::shutdown_on_signals();
    let application = Application::build(config, shutdown).await?;
    tracing::info!(port = application.port(), "rate-cache listening");
    application.run_until_stopped().await?;
    Ok(())
}
