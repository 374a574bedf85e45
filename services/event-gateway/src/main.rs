use event_gateway::{config::Config, startup::Application};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    if let Err(message) = telemetry::init("event-gateway") {
        eprintln!("{message}");
        return ExitCode::FAILURE;
    }
    let config: Config = match env_config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("event-gateway: {error}");
            return ExitCode::FAILURE;
        }
    };
    let shutdown = http_kit::shutdown_on_signals();
    let outcome = match Application::build(config, shutdown).await {
        Ok(app) => app.run_until_stopped().await,
        Err(error) => Err(error),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = %format!("{error:#}"), "event-gateway failed");
            eprintln!("event-gateway: {error:#}");
            ExitCode::FAILURE
        }
    }
}
