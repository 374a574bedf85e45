use read_model_sync::{config::Config, startup};
use std::process::ExitCode;

/// `read-model-sync` consumes and serves; `read-model-sync rebuild` refills the read model
/// from the write model's outbox, prints what it did, and exits.
#[tokio::main]
async fn main() -> ExitCode {
    telemetry::init_or_exit("read-model-sync");
    let config: Config = env_config::load_or_exit();
    match startup::run_command(config, std::env::args().nth(1).as_deref()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = %format!("{error:#}"), "read-model-sync failed");
            eprintln!("read-model-sync: {error:#}");
            ExitCode::FAILURE
        }
    }
}
