use fetch_buy_orders::{config::Config, startup::Application};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    telemetry::init_or_exit("fetch-buy-orders");
    let config: Config = env_config::load_or_exit();
    let shutdown = http_kit::shutdown_on_signals();
    let served = match Application::build(config, shutdown).await {
        Ok(app) => app.run_until_stopped().await,
        Err(error) => Err(error),
    };
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = %format!("{error:#}"), "fetch-buy-orders failed");
            eprintln!("fetch-buy-orders: {error:#}");
            ExitCode::FAILURE
        }
    }
}
