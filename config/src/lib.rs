//! tc-config.xml parsing (placeholder, being written).
