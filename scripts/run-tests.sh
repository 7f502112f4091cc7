#!/usr/bin/env bash
# Runs the whole suite the way CI does: lint, layering contracts, then pytest.
# PostgreSQL is used when it answers on 127.0.0.1:5432 (started here when installed but stopped);
# otherwise the PostgreSQL runs skip with a reason.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

if [[ -z "${HALCRM_TEST_PG_URL:-}" ]]; then
  if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && command -v pg_ctlcluster >/dev/null 2>&1; then
    for version in /etc/postgresql/*; do
      [[ -d "$version" ]] && pg_ctlcluster --skip-systemctl-redirect "$(basename "$version")" main start 2>/dev/null || true
    done
  fi
  if "$BIN/python" - <<'PY'
import socket, sys
try:
    socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
except OSError:
    sys.exit(1)
PY
  then
    export HALCRM_TEST_PG_URL="postgresql+asyncpg://postgres@127.0.0.1:5432/test"
    echo "PostgreSQL answers on 127.0.0.1:5432: the PostgreSQL runs are on."
  else
    echo "No PostgreSQL on 127.0.0.1:5432: the PostgreSQL runs will skip."
  fi
fi

# The browser tests drive Debian's Chromium; install it when missing (they skip if that fails).
scripts/ensure-chromium.sh

"$BIN/ruff" check halcrm tests scripts bench
"$BIN/ruff" format --check halcrm tests scripts bench
"$BIN/lint-imports"
"$BIN/mypy"
# The docs site, strictly: a broken page, link or anchor fails the run (not --quiet: it
# silences the warnings strict mode counts).
NO_MKDOCS_2_WARNING=1 "$BIN/mkdocs" build --strict
# Bytecode is written (where the environment says not to): every pytest worker would otherwise
# rewrite and compile each test module again, and every `halcrm` process a test starts would
# compile halcrm's modules again. __pycache__ is ignored by git.
unset PYTHONDONTWRITEBYTECODE
# -p no:cacheprovider keeps a clean checkout clean; exit code 5 (no tests collected) fails the run.
# Four workers on two cores (HALCRM_TEST_WORKERS to change; 0 runs in this process): a test
# spends a third of its time waiting (pilot pauses, other processes, PostgreSQL's disk), so two
# more fill the cores; every test has its own files, ports and PostgreSQL database. Work
# stealing keeps the long tests (the schema's property test) from ending the run alone.
exec "$BIN/python" -m pytest -p no:cacheprovider -n "${HALCRM_TEST_WORKERS:-4}" --dist worksteal "$@"
