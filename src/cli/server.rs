//! `tmbase serve`, `tmbase keys` and `tmbase openapi`: the commands around the HTTP server.

use std::path::PathBuf;

use anyhow::{bail, Result};

use crate::http::{run_server, ConfigFlags, ServeConfig};
use crate::store::{Scope, Store};

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address and port to listen on (port 0 picks a free port).
    #[arg(long)]
    pub bind: Option<String>,
    /// A TOML configuration file (see README).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Reading needs an API key too.
    #[arg(long)]
    pub require_key_for_read: bool,
    /// SRX rules replacing the built-in segmentation rules.
    #[arg(long)]
    pub srx: Option<PathBuf>,
    /// Import the demo samples into an empty database first.
    #[arg(long)]
    pub demo: bool,
}

/// Runs the server. `db` is the `--db` flag (or `TMBASE_DB`), `None` when neither was given.
pub fn serve(db: Option<PathBuf>, args: &ServeArgs) -> Result<i32> {
    let flags = ConfigFlags {
        bind: args.bind.clone(),
        db,
        require_key_for_read: args.require_key_for_read,
        srx: args.srx.clone(),
        demo: args.demo,
    };
    // TMBASE_DB is already in `db` (clap reads it), so the environment layer sees the rest.
    let config =
        ServeConfig::load(args.config.as_deref(), |name| std::env::var(name).ok(), &flags)?;
    run_server(config)?;
    Ok(0)
}

#[derive(Debug, clap::Subcommand)]
pub enum KeysCommand {
    /// Create a key and print it (it is shown this once).
    Create {
        #[arg(long, value_parser = ["read", "write", "admin"])]
        scope: String,
        /// Limit the key to one memory.
        #[arg(long)]
        memory: Option<String>,
        /// A label for the key (recorded as the author of its writes).
        #[arg(long, default_value = "api")]
        name: String,
    },
    /// List keys (never their secrets).
    List,
    /// Revoke a key by id.
    Revoke { id: i64 },
}

pub fn keys(store: &Store, command: &KeysCommand) -> Result<i32> {
    match command {
        KeysCommand::Create { scope, memory, name } => {
            let Some(scope) = Scope::parse(scope) else { bail!("unknown scope {scope:?}") };
            let (key, secret) = store.create_api_key(name, scope, memory.as_deref())?;
            eprintln!(
                "created key {} ({}, {}{}); it is shown only now:",
                key.id,
                key.name,
                key.scope.as_str(),
                key.memory.as_deref().map(|m| format!(", memory {m:?}")).unwrap_or_default()
            );
            outln!("{secret}");
            Ok(0)
        }
        KeysCommand::List => {
            for (key, created, revoked) in store.api_keys()? {
                outln!(
                    "{}\t{}\t{}\t{}\tcreated {created}{}",
                    key.id,
                    key.name,
                    key.scope.as_str(),
                    key.memory.as_deref().unwrap_or("*"),
                    revoked.map(|r| format!("\trevoked {r}")).unwrap_or_default()
                );
            }
            Ok(0)
        }
        KeysCommand::Revoke { id } => {
            if !store.revoke_api_key(*id)? {
                bail!("no active key {id}");
            }
            eprintln!("revoked key {id}");
            Ok(0)
        }
    }
}
