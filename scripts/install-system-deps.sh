#!/usr/bin/env bash
# Installs the system programs refcli's export-acceptance tests use (pandoc, biber),
# from Debian's packages.
# Does nothing when they are already there; needs root (or sudo) otherwise.
set -euo pipefail
missing=()
command -v pandoc >/dev/null 2>&1 || missing+=(pandoc)
command -v biber >/dev/null 2>&1 || missing+=(biber)
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "installing system packages: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
