#!/usr/bin/env bash
# Installs the Debian packages the build, the server and the tests need, when they are missing.
# As root it runs apt-get; otherwise it prints the exact command to run.
#   scripts/install-deps.sh           runtime + build (pango/cairo, fonts)
#   scripts/install-deps.sh test      + test tools (poppler-utils, qpdf)
set -euo pipefail

packages=(pkg-config libpango1.0-dev libcairo2-dev libwebp-dev libjpeg-dev fonts-noto-core fonts-noto-cjk fonts-dejavu-core)
if [ "${1:-}" = "test" ]; then
  packages+=(poppler-utils qpdf python3)
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "install-deps: missing Debian packages. Run:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
