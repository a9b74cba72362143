#!/usr/bin/env bash
# Installs what Benchmarks/peers.py compares against, when missing: Typst, WeasyPrint and Playwright from
# PyPI (Playwright only drives the system browser), headless Chromium from Debian.
set -euo pipefail
python3 -c "import typst, weasyprint, playwright" 2>/dev/null || python3 -m pip install -q typst weasyprint playwright
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "setup-peers: install Debian's chromium: sudo apt-get install -y chromium" >&2
    exit 1
  fi
fi
