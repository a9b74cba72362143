#!/usr/bin/env bash
# Fails when an import crosses the module boundaries of docs/architecture.md. Part of `make lint`.
#  1. A feature module imports another feature module. Feature modules are the Swift targets under
#     Sources/ other than the layers listed in `layers` (a new target is a feature until listed there);
#     C targets (no .swift files) are skipped. Flows across features belong in PartnerAPI/Workflows.
#  2. Code outside PartnerAPI, Server, TestSupport (and PartnerAPI's own tests) imports the web
#     framework (Hummingbird*, HTTPTypes*): the features and the engine stay testable without HTTP.
# SwiftPM's --explicit-target-dependency-import-check (in `make test`) only catches imports outside a
# target's transitive dependencies, so neither rule can be left to it.
set -euo pipefail
cd "$(dirname "$0")/.."

layers=" Core Render Storage Outbound PartnerAPI Server TestSupport Fuzz "
web_allowed=" PartnerAPI Server TestSupport PartnerAPITests "

# `import X`, `@testable import X`, `@preconcurrency public import X`, `import struct X.Y` → X.
imports_of() {
    grep -rhE '^[[:space:]]*(@[A-Za-z_]+[[:space:]]+)*((public|package|internal|fileprivate|private)[[:space:]]+)?import[[:space:]]' \
        --include='*.swift' "$1" 2>/dev/null |
        sed -E 's/^.*import[[:space:]]+((typealias|struct|class|enum|protocol|let|var|func)[[:space:]]+)?([A-Za-z_][A-Za-z0-9_]*).*/\3/' |
        sort -u || true
}

features=()
for dir in Sources/*/; do
    name=$(basename "$dir")
    [[ "$layers" == *" $name "* ]] && continue
    [ -n "$(find "$dir" -name '*.swift' -print -quit)" ] || continue
    features+=("$name")
done

violations=()
for from in "${features[@]}"; do
    for imported in $(imports_of "Sources/$from"); do
        [ "$imported" = "$from" ] && continue
        for feature in "${features[@]}"; do
            if [ "$imported" = "$feature" ]; then
                violations+=("feature module $from imports feature module $imported (move the flow to PartnerAPI/Workflows)")
            fi
        done
    done
done

for dir in Sources/*/ Tests/*/; do
    name=$(basename "$dir")
    [[ "$web_allowed" == *" $name "* ]] && continue
    for imported in $(imports_of "$dir"); do
        case "$imported" in
            Hummingbird* | HTTPTypes*) violations+=("$name imports $imported (only PartnerAPI, Server and TestSupport speak HTTP)") ;;
        esac
    done
done

if [ ${#violations[@]} -gt 0 ]; then
    echo "Module boundary violations (see docs/architecture.md):" >&2
    printf '  %s\n' "${violations[@]}" >&2
    exit 1
fi
echo "check-module-boundaries: ${#features[@]} feature modules (${features[*]}), no boundary crossed"
