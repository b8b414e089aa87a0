#!/usr/bin/env bash
# Makes sure the Chromium the browser tests drive is installed (tests/browser reads the same path).
# Playwright's own browser download does not work on our machines, so we use the distribution's
# package: $CHROMIUM if set, else Debian's /usr/bin/chromium, installed with apt-get when missing.
set -euo pipefail
chromium="${CHROMIUM:-/usr/bin/chromium}"
if [ -x "$chromium" ]; then exit 0; fi
if [ -n "${CHROMIUM:-}" ]; then
  echo "error: CHROMIUM=$CHROMIUM is not an executable; point it at a Chromium binary or unset it" >&2
  exit 1
fi
if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    as_root=()
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    echo "error: Chromium is missing; install it with: sudo apt-get install -y chromium" >&2
    exit 1
  fi
  echo "Installing Chromium for the browser tests (apt-get install chromium)…"
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq chromium
  [ -x "$chromium" ] && exit 0
  echo "error: apt-get installed chromium but $chromium is not there" >&2
  exit 1
fi
echo "error: the browser tests need Chromium at $chromium. Install Debian's 'chromium' package," >&2
echo "or any Chromium/Chrome and set CHROMIUM=/path/to/it (Playwright's browser download is not used)." >&2
exit 1
