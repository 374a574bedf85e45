use event_gateway::{config::Config, startup::Application};
use std::process::ExitCode;

// Every request allocates and frees a few dozen small buffers on one thread while the broker
// link's thread frees others: mimalloc's per-thread pages cost about 4 µs less per event than
// glibc's malloc here (bench/README.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    telemetry::init_or_exit("event-gateway");
    let config: Config = env_config::load_or_exit();
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
