//! lru-cache-server binary: logs, configuration, build, run until SIGTERM/SIGINT.

use lru_cache_server::config::Config;
use lru_cache_server::startup::Application;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    telemetry::init_or_exit("lru-cache-server");
    let config: Config = env_config::load_or_exit();
    let shutdown = http_kit::shutdown_on_signals();
    let app = Application::build(config, shutdown).await?;
    tracing::info!(
        resp_port = app.resp_port(),
        http_port = app.http_port(),
        "lru-cache-server listening"
    );
    app.run_until_stopped().await
}
