#!/usr/bin/env bash
# Installs Debian 12 packages listed in tools/deps.d/*.txt (one package a line, '#'
# comments allowed). With arguments, only those lists: `tools/install-deps.sh core demo`
# reads tools/deps.d/*-core.txt and *-demo.txt. Needs root (or sudo).
set -euo pipefail
cd "$(dirname "$0")/.."
sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
lists=()
if [ $# -eq 0 ]; then
  lists=(tools/deps.d/*.txt)
else
  for area in "$@"; do
    matches=(tools/deps.d/*-"$area".txt)
    [ -e "${matches[0]}" ] || { echo "install-deps: no list tools/deps.d/*-$area.txt" >&2; exit 2; }
    lists+=("${matches[@]}")
  done
fi
mapfile -t pkgs < <(cat "${lists[@]}" | sed 's/#.*//' | tr -s ' \t' '\n' | sed '/^$/d' | sort -u)
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get -o DPkg::Lock::Timeout=300 update -q
$sudo apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends "${pkgs[@]}"
