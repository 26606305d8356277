#!/usr/bin/env bash
# Set-up on a fresh machine with only Python 3.11+: a virtual environment in .venv with kovn
# and its test tools installed, and Debian's graphviz (the `dot` program) when it is missing.
# Idempotent: reinstalls only when pyproject.toml changed.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "setup: kovn needs Python 3.11 or newer ($PY is $("$PY" --version 2>&1))" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.kovn-installed
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
  .venv/bin/python -m pip install --quiet -e '.[test]'
  echo "$want" > "$stamp"
fi
if ! command -v dot >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing graphviz (for rendered traces)" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null) \
      || echo "setup: could not install graphviz; rendered traces will be written as DOT only" >&2
  else
    echo "setup: the 'dot' program (graphviz) is missing; install it with 'sudo apt-get install graphviz'" \
         "to get SVG/PNG traces (everything else works without it)" >&2
  fi
fi
# Debian's chromium: tests/browser opens the HTML report in it (Playwright drives the system
# browser; `playwright install` and its own browser builds are not used).
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing chromium (for the browser test of the HTML report)" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
      || echo "setup: could not install chromium; tests/browser will be skipped" >&2
  else
    echo "setup: chromium is missing; install it with 'sudo apt-get install chromium' to run tests/browser" >&2
  fi
fi
