use migration::{config::Config, runner::migrate_all, startup::Application};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    telemetry::init_or_exit("migration");
    let config: Config = env_config::load_or_exit();
    let loaded = config.access.load();
    let Ok(access) = loaded.inspect_err(|e| eprintln!("configuration error: {e}")) else {
        return ExitCode::FAILURE;
    };
    let targets = config.targets();
    let for_run = targets.clone();
    let outcomes = tokio::task::spawn_blocking(move || migrate_all(&for_run))
        .await
        .unwrap_or_default();
    let failed: Vec<_> = outcomes
        .iter()
        .filter_map(|o| o.error.as_ref().map(|e| format!("{}: {e}", o.database)))
        .collect();
    if !failed.is_empty() || outcomes.len() != targets.len() {
        eprintln!("migration failed:\n  {}", failed.join("\n  "));
        return ExitCode::FAILURE;
    }
    if !config.migration_serve {
        return ExitCode::SUCCESS;
    }
    let shutdown = http_kit::shutdown_on_signals();
    let served = match Application::build(&config.http, targets, access, shutdown) {
        Ok(app) => app.run_until_stopped().await.map_err(anyhow::Error::from),
        Err(error) => Err(error),
    };
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = %format!("{error:#}"), "status server failed");
            ExitCode::FAILURE
        }
    }
}
