#!/usr/bin/env bash
# Installs the Debian packages the build, the server and the tests need, when they are missing.
# As root it runs apt-get; otherwise it prints the exact command to run.
#   scripts/install-deps.sh           runtime + build (pango/cairo, fonts)
#   scripts/install-deps.sh test      + test tools (poppler-utils, qpdf, chromium, Playwright from PyPI)
set -euo pipefail

# fonts-dancingscript: the handwriting font of typed signatures (Signatures: PDFStamper).
# fonts-noto-color-emoji: emoji in colour; with Noto core and CJK no script or symbol people type prints as a box.
packages=(pkg-config libpango1.0-dev libcairo2-dev libwebp-dev libjpeg-dev fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji fonts-dejavu-core fonts-dancingscript)
if [ "${1:-}" = "test" ]; then
  packages+=(poppler-utils qpdf python3 python3-pip python3-venv chromium nodejs openssl)
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

# Playwright drives Debian's chromium in the browser tests. Pinned: a newer Playwright may expect a newer
# DevTools protocol than Debian's chromium speaks; `playwright install` is never needed.
# standardwebhooks: the webhook tests verify deliveries with the library receivers use.
# pikepdf: the document-standards check reads PDF/A markers and attachments the way archivers do.
# aiosmtpd: the SMTP email tests send to a real SMTP server (scripts/smtp-sink.py).
# moto: the S3 blob store tests run against its S3 API server, from a venv of its own (scripts/with-s3.sh).
pip_install() {
  python3 -m pip install -q "$1" 2>/dev/null || python3 -m pip install -q --break-system-packages "$1"
}
python_packages() {
  [ "${1:-}" = "test" ] || return 0
  if ! python3 -c "import playwright" 2>/dev/null; then
    echo "install-deps: installing playwright==1.65.2 (PyPI)"
    pip_install "playwright==1.65.2"
  fi
  if ! python3 -c "import standardwebhooks" 2>/dev/null; then
    echo "install-deps: installing standardwebhooks==1.1.0 (PyPI)"
    pip_install "standardwebhooks==1.1.0"
  fi
  if ! python3 -c "import pikepdf" 2>/dev/null; then
    echo "install-deps: installing pikepdf==10.18.0 (PyPI)"
    pip_install "pikepdf==10.18.0"
  fi
  if ! python3 -c "import aiosmtpd" 2>/dev/null; then
    echo "install-deps: installing aiosmtpd==1.4.6 (PyPI)"
    pip_install "aiosmtpd==1.4.6"
  fi
  "$(dirname "$0")/with-s3.sh" --install
}

if [ ${#missing[@]} -eq 0 ]; then
  python_packages "${1:-}"
  exit 0
fi

if [ "$(id -u)" = 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  python_packages "${1:-}"
else
  echo "install-deps: missing Debian packages. Run:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
