#!/usr/bin/env bash
# The main job on the shipped examples, in a throw-away library (yours is never touched):
# add a BibTeX and a RIS library (with a duplicate DOI between them), search, cite in APA,
# import documents with reference lists, export BibTeX.
set -euo pipefail
cd "$(dirname "$0")/.."
REFCLI=".venv/bin/refcli"
export REFCLI_LIBRARY="${REFCLI_LIBRARY:-$(mktemp -d)/library.json}"
export REFCLI_CACHE_DIR="$(dirname "$REFCLI_LIBRARY")/cache"
export COLUMNS="${COLUMNS:-120}"

step() { printf '\n\033[1m$ refcli %s\033[0m\n' "$*"; "$REFCLI" "$@"; }

echo "library: $REFCLI_LIBRARY"
step add examples/library.bib examples/library.ris --tag demo
step search
step search author:hinton year:2010..2020
step search "deep learning" --limit 3
step cite lecun2015deep he2016deep --style apa
step cite vandermaaten2008visualizing --style ieee
for expected in examples/documents/*.expected.json; do
  step import "${expected%.expected.json}"
done
step refs acemoglu2017robots
step cited-by acemoglu2017robots
step export --format bibtex -o "$(dirname "$REFCLI_LIBRARY")/library.bib"
head -n 12 "$(dirname "$REFCLI_LIBRARY")/library.bib"
echo
echo "demo library kept at $REFCLI_LIBRARY"
