#!/usr/bin/env python3
"""Keeps the deployment examples under deploy/ true (part of `make lint`): the Kubernetes manifests
parse, each object has apiVersion/kind/metadata.name, containers run a real `craftkit` subcommand,
probes name documented health routes, and every CRAFTKIT_*/AWS_* variable set in the manifests, the
systemd unit and the Containerfile is one the README's configuration table documents."""
import pathlib
import re
import sys

import yaml

root = pathlib.Path(__file__).resolve().parent.parent
documented = set(re.findall(r"`((?:CRAFTKIT|AWS)_[A-Z0-9_]+)`", (root / "README.md").read_text()))
paths = set(yaml.safe_load((root / "Sources/PartnerAPI/Resources/openapi.yaml").read_text())["paths"])
subcommands = {"serve", "worker", "migrate", "provision", "backup", "restore", "version", "rotate-encryption-key"}
problems = []


def check_variable(name, where):
    if (name.startswith("CRAFTKIT_") or name.startswith("AWS_")) and name not in documented:
        problems.append("%s sets %s, which README.md's configuration table does not document" % (where, name))


count = 0
for manifest in sorted((root / "deploy/kubernetes").glob("*.yaml")):
    for document in yaml.safe_load_all(manifest.read_text()):
        count += 1
        where = "%s (%s %s)" % (manifest.relative_to(root), document.get("kind"), (document.get("metadata") or {}).get("name"))
        for key in ("apiVersion", "kind"):
            if not document.get(key):
                problems.append("%s has no %s" % (where, key))
        if not (document.get("metadata") or {}).get("name"):
            problems.append("%s has no metadata.name" % where)
        if document.get("kind") == "ConfigMap":
            for name in document.get("data", {}):
                check_variable(name, where)
        spec = (document.get("spec") or {}).get("template", {}).get("spec", {})
        for container in spec.get("containers", []):
            args = container.get("args") or []
            if not args or args[0] not in subcommands:
                problems.append("%s runs %r, not a craftkit subcommand" % (where, args))
            for variable in container.get("env", []):
                check_variable(variable["name"], where)
            for probe in ("livenessProbe", "readinessProbe"):
                path = ((container.get(probe) or {}).get("httpGet") or {}).get("path")
                if path and path not in paths:
                    problems.append("%s probes %s, which openapi.yaml does not document" % (where, path))

unit = (root / "deploy/systemd/craftkit.service").read_text()
sections = re.findall(r"^\[(\w+)\]$", unit, re.MULTILINE)
if sections != ["Unit", "Service", "Install"]:
    problems.append("deploy/systemd/craftkit.service has sections %s" % sections)
if not re.search(r"^ExecStart=\S*craftkit serve$", unit, re.MULTILINE):
    problems.append("deploy/systemd/craftkit.service does not run `craftkit serve`")
for name in re.findall(r"^Environment=([A-Z0-9_]+)=", unit, re.MULTILINE):
    check_variable(name, "deploy/systemd/craftkit.service")

containerfile = (root / "deploy/container/Containerfile").read_text()
for line in re.findall(r"^ENV (.+)$", containerfile, re.MULTILINE):
    for name in re.findall(r"([A-Z0-9_]+)=", line):
        check_variable(name, "deploy/container/Containerfile")

if problems:
    print("Deployment examples out of step:", *problems, sep="\n  ", file=sys.stderr)
    sys.exit(1)
print("check-deploy-examples: %d Kubernetes objects, the systemd unit and the Containerfile agree with the README and openapi.yaml" % count)
