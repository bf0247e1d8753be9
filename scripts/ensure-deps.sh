#!/usr/bin/env bash
# Installs what fnokit needs on a fresh Debian machine, and nothing when it is
# already there: the C library libxml2 (for XSD validation through cgo) with
# pkg-config, and optional extras a target asks for by name:
#   scripts/ensure-deps.sh            libxml2-dev, pkg-config
#   scripts/ensure-deps.sh bench      + libxml2-utils (xmllint, the benchmark's yardstick)
#   scripts/ensure-deps.sh chromium   + chromium (renders reports/report.html headless: make report-screenshot)
set -euo pipefail

want=(libxml2-dev pkg-config)
for extra in "$@"; do
  case "$extra" in
    bench) want+=(libxml2-utils) ;;
    chromium) want+=(chromium) ;;
    *) echo "ensure-deps: unknown extra '$extra' (known: bench, chromium)" >&2; exit 1 ;;
  esac
done

missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-deps: missing ${missing[*]} and no apt-get here; install them with your package manager" >&2
  exit 3
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "ensure-deps: need root (or sudo) to install ${missing[*]}" >&2; exit 3; }
  sudo="sudo"
fi
echo "ensure-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
