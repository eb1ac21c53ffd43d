#!/usr/bin/env bash
# Installs the system programs refcli's tests use (pandoc, biber, pdflatex and bibtex
# from TeX Live for the export acceptance tests; fzf for refcli pick), from Debian's packages.
# Does nothing when they are already there; needs root (or sudo) otherwise.
set -euo pipefail
missing=()
command -v pandoc >/dev/null 2>&1 || missing+=(pandoc)
command -v biber >/dev/null 2>&1 || missing+=(biber)
command -v fzf >/dev/null 2>&1 || missing+=(fzf)
# pdflatex + bibtex, biblatex, the fonts a plain article and biblatex's styles need
if ! command -v pdflatex >/dev/null 2>&1 || ! command -v bibtex >/dev/null 2>&1 \
    || ! kpsewhich biblatex.sty >/dev/null 2>&1; then
  missing+=(texlive-latex-base texlive-latex-recommended texlive-bibtex-extra
            texlive-fonts-recommended lmodern)
fi
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "installing system packages: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
