#!/usr/bin/env bash
# Makes sure Debian's Chromium is there for the browser tests (Playwright drives it; it never
# downloads a browser of its own). Failing to install is not fatal: those tests then skip with
# a reason. Set HALCRM_SKIP_CHROMIUM_INSTALL=1 to leave the machine untouched.
set -uo pipefail

if command -v chromium >/dev/null 2>&1 || [[ -x /usr/bin/chromium ]]; then
  exit 0
fi
if [[ -n "${HALCRM_SKIP_CHROMIUM_INSTALL:-}" ]]; then
  echo "Chromium is missing and HALCRM_SKIP_CHROMIUM_INSTALL is set: the browser tests will skip."
  exit 0
fi
SUDO=""
if [[ "$(id -u)" != 0 ]]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    echo "Chromium is missing and this user cannot install packages: the browser tests will skip."
    exit 0
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Chromium is missing and there is no apt-get here: the browser tests will skip."
  exit 0
fi
echo "Installing Debian's chromium for the browser tests..."
if $SUDO apt-get update -qq >/dev/null 2>&1 \
  && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null 2>&1; then
  echo "Chromium installed: $(chromium --version 2>/dev/null)"
else
  echo "Could not install chromium: the browser tests will skip."
fi
exit 0
