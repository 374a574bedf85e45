//! lru-cache-server binary: logs, configuration, build, run until SIGTERM/SIGINT.

use lru_cache_server::config::Config;
use lru_cache_server::startup::Application;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if let Err(e) = telemetry::init("lru-cache-server") {
        eprintln!("lru-cache-server: {e}");
        std::process::exit(2);
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            tracing::error!(error = %e, "invalid configuration");
            eprintln!("lru-cache-server: {e}");
            std::process::exit(2);
        }
    };
    let shutdown = http_kit::shutdown_on_signals();
    let app = Application::build(config, shutdown).await?;
    tracing::info!(
        resp_port = app.resp_port(),
        http_port = app.http_port(),
        "lru-cache-server listening"
    );
    app.run_until_stopped().await
}
