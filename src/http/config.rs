//! The server's configuration: one struct, filled from defaults, then a TOML file
//! (`--config`), then `TMBASE_*` environment variables, then command-line flags.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Everything `tmbase serve` can be told.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServeConfig {
    /// Address and port to listen on (`127.0.0.1:8080`; port 0 picks a free one).
    pub bind: String,
    /// The database file.
    pub db: PathBuf,
    /// Largest JSON request body, in bytes.
    pub max_json_bytes: usize,
    /// Largest TMX upload, in bytes.
    pub max_import_bytes: u64,
    /// Longest text of one suggest request, in characters.
    pub max_text_chars: usize,
    /// Most texts in one batch suggest request.
    pub max_batch: usize,
    /// Most results a caller may ask for.
    pub max_results: usize,
    /// Seconds a request may take before it is answered with 503.
    pub request_timeout_secs: u64,
    /// Whether reading also needs an API key (writing always does).
    pub require_key_for_read: bool,
    /// An SRX file whose rules replace the built-in segmentation rules.
    pub srx: Option<PathBuf>,
    /// HTTP worker threads (0: one per core).
    pub workers: usize,
    /// Threads that run fuzzy lookups (0: one per core); more requests wait their turn.
    pub lookup_threads: usize,
    /// Import the demo samples into an empty database at start.
    pub demo: bool,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            bind: "127.0.0.1:8080".into(),
            db: PathBuf::from("tmbase.db"),
            max_json_bytes: 1 << 20,
            max_import_bytes: 4 << 30,
            max_text_chars: 20_000,
            max_batch: 100,
            max_results: 50,
            request_timeout_secs: 30,
            require_key_for_read: false,
            srx: None,
            workers: 0,
            lookup_threads: 0,
            demo: false,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path}: {message}")]
    Parse { path: String, message: String },
    #[error("{name}={value:?}: {message}")]
    Env { name: String, value: String, message: String },
}

/// Values given on the command line; `None` leaves the lower layers' value.
#[derive(Debug, Clone, Default)]
pub struct ConfigFlags {
    pub bind: Option<String>,
    pub db: Option<PathBuf>,
    pub require_key_for_read: bool,
    pub srx: Option<PathBuf>,
    pub demo: bool,
}

impl ServeConfig {
    /// Defaults < file < environment < flags.
    pub fn load(
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
        flags: &ConfigFlags,
    ) -> Result<ServeConfig, ConfigError> {
        let mut config = match file {
            None => ServeConfig::default(),
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.display().to_string(),
                    source,
                })?;
                toml::from_str(&text).map_err(|e| ConfigError::Parse {
                    path: path.display().to_string(),
                    message: e.to_string(),
                })?
            }
        };
        config.apply_env(env)?;
        if let Some(bind) = &flags.bind {
            config.bind = bind.clone();
        }
        if let Some(db) = &flags.db {
            config.db = db.clone();
        }
        if flags.require_key_for_read {
            config.require_key_for_read = true;
        }
        if let Some(srx) = &flags.srx {
            config.srx = Some(srx.clone());
        }
        if flags.demo {
            config.demo = true;
        }
        Ok(config)
    }

    fn apply_env(&mut self, env: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        fn parse<T: std::str::FromStr>(name: &str, value: &str) -> Result<T, ConfigError>
        where
            T::Err: std::fmt::Display,
        {
            value.trim().parse().map_err(|e: T::Err| ConfigError::Env {
                name: name.into(),
                value: value.into(),
                message: e.to_string(),
            })
        }
        let get = |name: &str| env(name).filter(|v| !v.is_empty());
        if let Some(v) = get("TMBASE_BIND") {
            self.bind = v;
        }
        if let Some(v) = get("TMBASE_DB") {
            self.db = v.into();
        }
        if let Some(v) = get("TMBASE_MAX_JSON_BYTES") {
            self.max_json_bytes = parse("TMBASE_MAX_JSON_BYTES", &v)?;
        }
        if let Some(v) = get("TMBASE_MAX_IMPORT_BYTES") {
            self.max_import_bytes = parse("TMBASE_MAX_IMPORT_BYTES", &v)?;
        }
        if let Some(v) = get("TMBASE_MAX_TEXT_CHARS") {
            self.max_text_chars = parse("TMBASE_MAX_TEXT_CHARS", &v)?;
        }
        if let Some(v) = get("TMBASE_MAX_BATCH") {
            self.max_batch = parse("TMBASE_MAX_BATCH", &v)?;
        }
        if let Some(v) = get("TMBASE_MAX_RESULTS") {
            self.max_results = parse("TMBASE_MAX_RESULTS", &v)?;
        }
        if let Some(v) = get("TMBASE_REQUEST_TIMEOUT_SECS") {
            self.request_timeout_secs = parse("TMBASE_REQUEST_TIMEOUT_SECS", &v)?;
        }
        if let Some(v) = get("TMBASE_REQUIRE_KEY_FOR_READ") {
            self.require_key_for_read = parse("TMBASE_REQUIRE_KEY_FOR_READ", &v)?;
        }
        if let Some(v) = get("TMBASE_SRX") {
            self.srx = Some(v.into());
        }
        if let Some(v) = get("TMBASE_WORKERS") {
            self.workers = parse("TMBASE_WORKERS", &v)?;
        }
        if let Some(v) = get("TMBASE_LOOKUP_THREADS") {
            self.lookup_threads = parse("TMBASE_LOOKUP_THREADS", &v)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_is_defaults_file_environment_flags() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("tmbase.toml");
        std::fs::write(&file, "bind = \"0.0.0.0:9000\"\nmax_batch = 7\nmax_results = 9\n").unwrap();
        let env = |name: &str| match name {
            "TMBASE_MAX_BATCH" => Some("8".to_string()),
            "TMBASE_BIND" => Some("127.0.0.1:9001".to_string()),
            "TMBASE_LOOKUP_THREADS" => Some("3".to_string()),
            _ => None,
        };
        let flags = ConfigFlags { bind: Some("127.0.0.1:9002".into()), ..ConfigFlags::default() };
        let c = ServeConfig::load(Some(&file), env, &flags).unwrap();
        assert_eq!(c.bind, "127.0.0.1:9002", "flag beats environment and file");
        assert_eq!(c.max_batch, 8, "environment beats file");
        assert_eq!(c.max_results, 9, "file beats default");
        assert_eq!(c.lookup_threads, 3);
        assert_eq!(c.max_json_bytes, ServeConfig::default().max_json_bytes);
    }

    #[test]
    fn bad_values_name_their_source() {
        let env = |name: &str| (name == "TMBASE_MAX_BATCH").then(|| "many".to_string());
        let err = ServeConfig::load(None, env, &ConfigFlags::default()).unwrap_err();
        assert!(err.to_string().starts_with("TMBASE_MAX_BATCH=\"many\""), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("bad.toml");
        std::fs::write(&file, "colour = \"blue\"\n").unwrap();
        let err = ServeConfig::load(Some(&file), |_| None, &ConfigFlags::default()).unwrap_err();
        assert!(err.to_string().contains("colour"), "{err}");
    }
}
