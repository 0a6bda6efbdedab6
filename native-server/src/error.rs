//! The one error type of the server crate.

use thiserror::Error;

/// Errors of the Kiln server.
#[non_exhaustive]
#[derive(Debug, Error)]
pub enum ServerError {
    /// Configuration problem (file, line and setting are in the message).
    #[error(transparent)]
    Config(#[from] kiln_config::ConfigError),
    /// A listener could not be bound.
    #[error("cannot listen on {addr} (setting <{setting}> of server '{server}'): {source}")]
    Bind {
        /// Address.
        addr: String,
        /// Config element.
        setting: &'static str,
        /// Server name.
        server: String,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// Other I/O.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    /// A commit pipeline stage (durability, replication) failed.
    #[error("commit stage '{stage}' failed: {message}")]
    Commit {
        /// Stage name.
        stage: &'static str,
        /// What went wrong.
        message: String,
    },
    /// Management HTTP request failed.
    #[error("management request to {addr} failed: {message}")]
    Management {
        /// Address.
        addr: String,
        /// What went wrong.
        message: String,
    },
    /// The data directory cannot be used (I/O, corrupt store).
    #[error("storage at {}: {message}", path.display())]
    Storage {
        /// File or directory at fault.
        path: std::path::PathBuf,
        /// What went wrong.
        message: String,
    },
    /// Another server holds the data directory.
    #[error("data directory {} is in use by another Kiln server ({holder}); servers must not share a <data> directory", path.display())]
    DataDirInUse {
        /// The `<data>` directory.
        path: std::path::PathBuf,
        /// What the lock file says about its holder.
        holder: String,
    },
    /// The data directory holds something that is not this server's store.
    #[error("data directory {} is not this server's Kiln store: {reason}; refusing to write into it (check <data> in the configuration)", path.display())]
    ForeignDataDir {
        /// The `<data>` directory.
        path: std::path::PathBuf,
        /// Why.
        reason: String,
    },
    /// A cluster DGC run (several stripes) failed or was aborted (the message names the stripe).
    #[error("cluster DGC: {0}")]
    ClusterDgc(String),
    /// Metrics registry problem.
    #[error("metrics: {0}")]
    Metrics(#[from] prometheus::Error),
}
