#!/usr/bin/env bash
# Prints the absolute path of a Python 3.13 interpreter, or fails with a clear message.
# Order: $PYTHON, python3.13 on PATH, any pyenv-installed 3.13.x.
set -u
check() { "$@" -c 'import sys; assert sys.version_info[:2] == (3, 13); print(sys.executable)' 2>/dev/null; }
if [ -n "${PYTHON:-}" ] && check "$PYTHON"; then exit 0; fi
if command -v python3.13 >/dev/null 2>&1 && check python3.13; then exit 0; fi
if command -v pyenv >/dev/null 2>&1; then
  for v in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.13(\.[0-9]+)?$' | sort -V -r); do
    p="$(pyenv prefix "$v" 2>/dev/null)/bin/python3.13"
    if [ -x "$p" ] && check "$p"; then exit 0; fi
  done
fi
echo "error: Python 3.13 not found (set PYTHON=/path/to/python3.13 or put python3.13 on PATH)" >&2
exit 1
