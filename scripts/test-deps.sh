#!/usr/bin/env bash
# System packages the tests need, installed when missing (scripts/test.sh calls this).
# - Debian's chromium: the web UI's browser tests (packages/web/e2e) drive /usr/bin/chromium.
# - Debian's prometheus (with promtool): test/prometheus scrapes cairn server and cairn serve with
#   a real Prometheus and checks deploy/prometheus with promtool.
# In CI (CI=true) a failed install is an error: these tests never skip themselves.
set -euo pipefail

need_chromium() { [ ! -x /usr/bin/chromium ]; }

if need_chromium; then
  echo "installing Debian's chromium for the browser tests"
  SUDO=""
  if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
  if command -v apt-get >/dev/null 2>&1; then
    $SUDO apt-get update -qq || echo "apt-get update failed" >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null ||
      echo "apt-get install chromium failed" >&2
  fi
  if need_chromium; then
    if [ "${CI:-}" = "true" ]; then
      echo "error: /usr/bin/chromium is missing and could not be installed; the browser tests need it" >&2
      exit 1
    fi
    echo "warning: /usr/bin/chromium is missing; the browser tests (packages/web/e2e) will fail" >&2
  fi
fi
/usr/bin/chromium --version 2>/dev/null || true

need_prometheus() { [ ! -x /usr/bin/prometheus ] || [ ! -x /usr/bin/promtool ]; }

if need_prometheus; then
  echo "installing Debian's prometheus for the Prometheus tests"
  SUDO=""
  if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
  if command -v apt-get >/dev/null 2>&1; then
    $SUDO apt-get update -qq || echo "apt-get update failed" >&2
    # RUNLEVEL=1: invoke-rc.d does not start the packaged service; the tests start their own Prometheus.
    DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 $SUDO apt-get install -y -qq --no-install-recommends prometheus >/dev/null ||
      echo "apt-get install prometheus failed" >&2
  fi
  if need_prometheus; then
    if [ "${CI:-}" = "true" ]; then
      echo "error: /usr/bin/prometheus or /usr/bin/promtool is missing and could not be installed; test/prometheus needs them" >&2
      exit 1
    fi
    echo "warning: /usr/bin/prometheus is missing; test/prometheus will fail" >&2
  fi
fi
/usr/bin/prometheus --version 2>/dev/null | head -1 || true
