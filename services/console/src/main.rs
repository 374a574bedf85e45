use console::{config::Config, startup::Application};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    telemetry::init_or_exit("console");
    let config: Config = env_config::load_or_exit();
    let shutdown = http_kit::shutdown_on_signals();
    let served = match Application::build(config, shutdown).await {
        Ok(app) => app.run_until_stopped().await,
        Err(error) => Err(error),
    };
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = %format!("{error:#}"), "console failed");
            eprintln!("console: {error:#}");
            ExitCode::FAILURE
        }
    }
}
