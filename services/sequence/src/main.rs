//! `sequence`: big unique numbers from PostgreSQL sequences (SPEC §6).

use sequence::{config::Config, startup::Application};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if let Err(e) = telemetry::init("sequence") {
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
    tracing::info!(port = application.port(), "sequence listening");
    application.run_until_stopped().await?;
    Ok(())
}
