#!/usr/bin/env python3
"""Prints the package's module graph as the Mermaid block of docs/architecture.md.

Reads the manifest through `swift package dump-package` (so the picture is Package.swift, not a drawing
of it): one node per non-test target, one arrow per declared dependency on another target of this
package. Products of other packages are left out; the table under the graph names them.

    scripts/module-graph.py            # print the block
    scripts/module-graph.py --check    # exit 1 when docs/architecture.md holds a different block
"""
import json
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"
LABELS = {"Server": "Server (craftkit CLI)", "Fuzz": "Fuzz (libFuzzer harness)"}


def manifest():
    out = subprocess.run(["swift", "package", "dump-package"], cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def local_dependencies(target):
    for dependency in target.get("dependencies", []):
        for kind in ("byName", "target"):
            if kind in dependency:
                yield dependency[kind][0]


def graph(package):
    targets = {t["name"]: t for t in package["targets"] if t["type"] != "test"}
    deps = {name: [d for d in local_dependencies(t) if d in targets] for name, t in targets.items()}
    height = {}

    def measure(name):
        if name not in height:
            height[name] = 1 + max((measure(d) for d in deps[name]), default=0)
        return height[name]

    lines = ["```mermaid", "graph TD"]
    labelled = set()
    # Highest layer first, so the arrows point down and a reader meets each module before its imports.
    for name in sorted(targets, key=lambda n: (-measure(n), n)):
        for dependency in sorted(deps[name], key=lambda n: (-measure(n), n)):
            lines.append(f"    {node(targets[name], labelled)} --> {node(targets[dependency], labelled)}")
    lines.append("```")
    return "\n".join(lines)


def node(target, labelled):
    name = target["name"]
    if name in labelled:
        return name
    labelled.add(name)
    if name in LABELS:
        label = LABELS[name]
    elif target["type"] == "system":
        label = f"{name} (system library)"
    elif not any((ROOT / "Sources" / name).rglob("*.swift")):
        label = f"{name} (C)"
    else:
        return name
    return f'{name}["{label}"]'


def documented_block():
    text = DOC.read_text()
    start = text.index("```mermaid")
    end = text.index("```", start + 3)
    return text[start : end + 3]


if __name__ == "__main__":
    block = graph(manifest())
    if sys.argv[1:] == ["--check"]:
        if documented_block() != block:
            print("docs/architecture.md: module graph differs from Package.swift; paste scripts/module-graph.py's output", file=sys.stderr)
            sys.exit(1)
        print("module-graph: docs/architecture.md matches Package.swift")
    else:
        print(block)
