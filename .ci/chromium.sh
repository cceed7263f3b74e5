#!/usr/bin/env bash
# Make sure a headless Chromium is available for the HTML report tests (Debian's package).
# Without it those tests are skipped with a reason, so a failure here does not fail CI.
set -uo pipefail

if command -v chromium >/dev/null 2>&1; then
  echo "chromium is installed: $(chromium --version 2>/dev/null | head -n 1)"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "no chromium and no apt-get: the browser tests of the HTML report will be skipped" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if apt-get update -qq && apt-get install -y -qq chromium >/dev/null; then
  echo "installed $(chromium --version 2>/dev/null | head -n 1)"
  exit 0
fi
echo "could not install chromium: the browser tests of the HTML report will be skipped" >&2
exit 1
