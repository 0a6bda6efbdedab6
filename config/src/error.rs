//! The crate's error type and configuration warnings.

use std::fmt;
use std::path::PathBuf;

/// Everything that can go wrong loading a `tc-config.xml`.
///
/// Every variant that comes from the text of a configuration names the file (or origin), the
/// 1-based line and column, and — for bad values — the setting at fault and its value.
/// The `Display` form is meant to be shown to a user as is, e.g.
/// `tc-config.xml:12:17: servers/server/dso-port: invalid value '95x0': not a number`.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The configuration file could not be read.
    #[error("{}: cannot read configuration file: {source}", path.display())]
    Io {
        /// The file that could not be read.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The text is not well-formed XML.
    #[error("{file}:{line}:{column}: malformed XML: {message}")]
    Xml {
        /// File path or origin (`<embedded default>`, `<string>`).
        file: String,
        /// 1-based line.
        line: u32,
        /// 1-based column (in characters).
        column: u32,
        /// What is wrong.
        message: String,
    },
    /// A setting has a value Kiln cannot accept.
    #[error("{file}:{line}:{column}: {setting}: invalid value '{value}': {reason}")]
    Invalid {
        /// File path or origin.
        file: String,
        /// 1-based line of the value.
        line: u32,
        /// 1-based column of the value.
        column: u32,
        /// The setting at fault, as an element path (`servers/server/dso-port`), an attribute
        /// (`servers/mirror-group@election-time`) or a tc-property name.
        setting: String,
        /// The offending value (after trimming).
        value: String,
        /// Why it is refused, and what would be accepted.
        reason: String,
    },
    /// [`TcConfig::select_server`](crate::TcConfig::select_server) was given a name no server has.
    #[error("{file}: no server named '{name}' in the configuration (servers: {})", available.join(", "))]
    NoSuchServer {
        /// File path or origin.
        file: String,
        /// The name asked for.
        name: String,
        /// The names of every configured server, in configuration order.
        available: Vec<String>,
    },
    /// No name was given, several servers are configured and none of them is on this machine.
    #[error("{file}: cannot tell which server this process is: none of the configured servers ({}) has a host on this machine; pass the server name (-n NAME)", available.join(", "))]
    NoLocalServer {
        /// File path or origin.
        file: String,
        /// The names of every configured server, in configuration order.
        available: Vec<String>,
    },
}

/// Something in the configuration Kiln accepted but that deserves attention: an unknown
/// element or attribute, stray text, a fragment without `<tc-config>`, data directories shared
/// by two servers, …
///
/// `Display` gives `"{file}:{line}:{column}: warning: {message}"`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ConfigWarning {
    /// File path or origin the warning is about.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// What was found and what Kiln did about it.
    pub message: String,
}

impl fmt::Display for ConfigWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: warning: {}",
            self.file, self.line, self.column, self.message
        )
    }
}
