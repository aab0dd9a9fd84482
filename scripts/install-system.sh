#!/usr/bin/env bash
# Installs the Debian packages the toolchain and its tests need, only if missing.
set -euo pipefail
packages=(chromium poppler-utils libharfbuzz-subset0 fonts-dejavu-core default-jre-headless)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js and npm install the form editor (Decap CMS, `make setup` runs `npm ci`).
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installation des paquets système : ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "Erreur : il faut être root (ou sudo) pour installer ${missing[*]}." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
