#!/usr/bin/env bash
# Fails when code comments or docs cite documents that are not in this repository: the outside design
# notes and API fact sheets (DESIGN.md and its numbered decisions, spec-embed-*, spec-templates-*,
# anchors.md, stack.md, UI.md, craftkit-openapi.yaml, anything under ../shared). Cite the records in
# docs/decisions/ or the anchors in docs/api.md and docs/embedding.md instead. Part of `make lint`.
set -euo pipefail
cd "$(dirname "$0")/.."

pattern='DESIGN\.md|spec-embed|spec-templates|\.\./shared|shared/|anchors\.md|stack\.md|UI\.md|craftkit-openapi|spec §|[Dd]ecisions? [0-9]{1,2}\b'
paths=(Sources Tests docs Public README.md Makefile browser-tests Benchmarks demo)

existing=()
for path in "${paths[@]}"; do
    [ -e "$path" ] && existing+=("$path")
done

# -I skips binary files (screenshots). grep exits 0 on a match, 1 on none, 2 on an error.
status=0
hits=$(grep -rnIE "$pattern" "${existing[@]}") || status=$?
if [ "$status" -eq 0 ]; then
    echo "Citations of documents outside the repository (cite docs/decisions/ or docs/api.md instead):" >&2
    echo "$hits" >&2
    exit 1
elif [ "$status" -ne 1 ]; then
    echo "check-repo-citations: grep failed (status $status)" >&2
    exit "$status"
fi
echo "check-repo-citations: no citations outside the repository"
