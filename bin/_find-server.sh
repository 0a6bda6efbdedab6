# Sourced by the Terracotta-compatible scripts: sets $bin to the kiln-server binary
# ($KILN_SERVER, target/release, target/debug, PATH; builds it in release if none exists).
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${KILN_SERVER:-}"
if [ -z "$bin" ]; then
  for c in "$here/target/release/kiln-server" "$here/target/debug/kiln-server" "$(command -v kiln-server || true)"; do
    if [ -n "$c" ] && [ -x "$c" ]; then bin="$c"; break; fi
  done
fi
if [ -z "$bin" ]; then
  (cd "$here" && cargo build --release -p kiln-server >&2)
  bin="$here/target/release/kiln-server"
fi
