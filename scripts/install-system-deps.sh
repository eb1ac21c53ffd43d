#!/usr/bin/env bash
# Installs the system programs refcli's tests use (pandoc, biber, pdflatex and bibtex
# from TeX Live for the export acceptance tests; fzf for refcli pick), from Debian's packages,
# and citeproc-js (npm `citeproc`, under build/npm) that the CSL-JSON tests render stored items with.
# Does nothing when they are already there; needs root (or sudo) otherwise.
set -euo pipefail
missing=()
command -v pandoc >/dev/null 2>&1 || missing+=(pandoc)
command -v biber >/dev/null 2>&1 || missing+=(biber)
command -v fzf >/dev/null 2>&1 || missing+=(fzf)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
# pdflatex + bibtex, biblatex, the fonts a plain article and biblatex's styles need
if ! command -v pdflatex >/dev/null 2>&1 || ! command -v bibtex >/dev/null 2>&1 \
    || ! kpsewhich biblatex.sty >/dev/null 2>&1; then
  missing+=(texlive-latex-base texlive-latex-recommended texlive-bibtex-extra
            texlive-fonts-recommended lmodern)
fi
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# citeproc-js, the version the CSL fixtures were made with, in the project's build/ (not global)
npm_dir="$(cd "$(dirname "$0")/.." && pwd)/build/npm"
if [ ! -f "$npm_dir/node_modules/citeproc/package.json" ]; then
  echo "installing citeproc-js (npm citeproc@2.4.63) into build/npm"
  mkdir -p "$npm_dir"
  npm install --silent --no-audit --no-fund --prefix "$npm_dir" citeproc@2.4.63 >/dev/null
fi
