#!/usr/bin/env bash
# Makes sure wrk (Debian's package) is installed; exits non-zero when it cannot be, and the bench
# then falls back to its Python load generator.
set -euo pipefail
command -v wrk >/dev/null 2>&1 && exit 0
command -v apt-get >/dev/null 2>&1 || exit 1
SUDO=""
if [[ "$(id -u)" != 0 ]]; then
  command -v sudo >/dev/null 2>&1 || exit 1
  SUDO="sudo -n"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y -qq wrk >/dev/null 2>&1 \
  || { $SUDO apt-get update -qq >/dev/null 2>&1 && $SUDO apt-get install -y -qq wrk >/dev/null 2>&1; }
command -v wrk >/dev/null 2>&1
