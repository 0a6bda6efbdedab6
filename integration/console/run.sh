#!/usr/bin/env bash
# Runs the real-browser console test (integration/console/test_console.py).
# Needs target/debug/kiln-server and target/debug/kiln (cargo build --workspace --bins).
# Installs what is missing: chromium + chromium-driver (apt), python3-venv (apt), and Selenium
# pinned into build/console-venv. Screenshots go to docs/images (KILN_CONSOLE_SCREENSHOTS=DIR to change).
set -euo pipefail
cd "$(dirname "$0")/../.."
SELENIUM_VERSION=4.27.1
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
need_apt=()
command -v chromium >/dev/null || need_apt+=(chromium)
command -v chromedriver >/dev/null || need_apt+=(chromium-driver)
python3 -c 'import ensurepip, venv' 2>/dev/null || need_apt+=(python3-venv)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "== installing: ${need_apt[*]}"
  $SUDO apt-get update -qq || echo "warning: apt-get update failed"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
venv=build/console-venv
if ! "$venv/bin/python" -c "import selenium, sys; sys.exit(selenium.__version__ != '$SELENIUM_VERSION')" 2>/dev/null; then
  echo "== creating $venv with selenium==$SELENIUM_VERSION"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "selenium==$SELENIUM_VERSION"
fi
exec timeout 240 "$venv/bin/python" integration/console/test_console.py
