//! `sequence`: big unique numbers from PostgreSQL sequences (SPEC §6).

use sequence::{config::Config, startup::Application};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    telemetry::init_or_exit("sequence");
    let config: Config = env_config::load_or_exit();
    let shutdown = http_kit::shutdown_on_signals();
    let application = Application::build(config, shutdown).await?;
    tracing::info!(port = application.port(), "sequence listening");
    application.run_until_stopped().await?;
    Ok(())
}
