#!/usr/bin/env bash
# The audit page's browser test drives Debian's Chromium (playwright-core downloads no browser). A fresh
# machine has none: install the package when running as root, otherwise say what to do and fail.
set -euo pipefail

browser="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$browser" ]; then exit 0; fi
if [ -n "${CHROMIUM_PATH:-}" ]; then
  echo "CHROMIUM_PATH names $CHROMIUM_PATH, which is not an executable" >&2
  exit 1
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get > /dev/null; then
  echo "the browser test needs Chromium at /usr/bin/chromium: install Debian's chromium package (apt-get install chromium) or set CHROMIUM_PATH" >&2
  exit 1
fi
echo "installing Debian's chromium for the browser test..."
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null
"$browser" --version
