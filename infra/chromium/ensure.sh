#!/usr/bin/env bash
# Makes sure Debian's chromium is installed for the browser tests (playwright-core drives it at
# CHROMIUM_PATH, default /usr/bin/chromium; a test tool's own browser download cannot work
# here). Installs it with apt-get when it is missing and this user may (root, or sudo without a
# password); otherwise says how.
set -euo pipefail
CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$CHROMIUM_PATH" ]; then
  echo "chromium: $("$CHROMIUM_PATH" --version 2>/dev/null | tail -1)"
  exit 0
fi
if [ "$(id -u)" = 0 ]; then
  SUDO=""
elif sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "chromium is missing at $CHROMIUM_PATH: run 'sudo apt-get install -y chromium'" >&2
  exit 1
fi
echo "installing chromium (apt-get)"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y --no-install-recommends chromium >/dev/null ||
  { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y --no-install-recommends chromium >/dev/null; }
"$CHROMIUM_PATH" --version 2>/dev/null | tail -1
