//! The `tmbase` binary: parse the command line, set up logging, dispatch.

use tracing_subscriber::EnvFilter;

/// Import hands every parsed unit from the reading thread to the writing thread, and the
/// server answers on several workers: glibc's allocator serialises on its arena locks there,
/// mimalloc frees across threads without them.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("TMBASE_LOG").unwrap_or_else(|_| EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = tmbase::cli::parse();
    match tmbase::cli::run(cli) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::exit(1);
        }
    }
}
