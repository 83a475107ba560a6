#!/usr/bin/env python3
"""Regenerates docs/lint.md (every rule id `lint` reports) from the rules of a built doctor.
usage: scripts/gen-lint-md.py [build/wsl-llm-doctor] > docs/lint.md"""
import json
import subprocess
import sys

doctor = sys.argv[1] if len(sys.argv) > 1 else "build/wsl-llm-doctor"
rules = json.loads(subprocess.check_output([doctor, "rules"]))
sources = rules["sources"]
checks = rules["checks"]


def cell(s):
    return (s or "").replace("|", "\\|").replace("\n", " ")


def src(keys):
    return ", ".join(f"[{k}]({sources[k]['url']})" for k in keys or [])


print("""# What `lint` reports

`wsl-llm-doctor lint PATH...` judges a repository's `.wslconfig`, `wsl.conf`, systemd
unit files, Docker `daemon.json`, CDI specs and compose files on their own (docs/ci.md
shows it in CI). Each finding names its rule as
`CHECK/KEY`: the check whose rules judged it and the key in those rules. This page is made
from the rules by `scripts/gen-lint-md.py`; a test keeps it in step with them.

Statuses: a `fail` is something WSL, systemd, Docker, Compose or the CDI specification
documents as breaking the setup (or, marked observed, a file that cannot be read); a `warn`
is a setting ignored, read otherwise than written, or likely wrong. Exit 1 on a fail, or
on a warn with `--fail-on warn`.""")

lint_common = {k: v for k, v in rules["common"].items() if k.startswith("lint_")}
print("\n## Any file\n\n| rule | status | finding | fix |\n|---|---|---|---|")
for k, v in lint_common.items():
    print(f"| `lint/{k}` | {v['status']} | PATH {cell(v['summary'])} | {cell(v.get('fix'))} |")

for cid, title, outcomes in (("wsl.wslconfig", ".wslconfig", ["encoding"]),
                             ("wsl.wsl-conf", "wsl.conf", ["encoding", "utf8_bom", "gpu_disabled"]),
                             ("service.systemd", "systemd units and drop-ins",
                              ["gpu_hidden", "no_restart"])):
    c = checks[cid]
    lint = c["params"]["lint"]["value"]
    messages = c["params"]["messages"]["value"]
    print(f"\n## {title} (`{cid}`)\n")
    print(f"Not judged without the host: {lint['not_judged']}.\n")
    print("| rule | status | finding | fix | sources |\n|---|---|---|---|---|")
    for o in outcomes:
        v = c["outcomes"][o]
        print(f"| `{cid}/{o}` | {v['status']} | {cell(v['summary'])} | {cell(v.get('fix'))} | "
              f"{src(v.get('sources'))} |")
    lint_outcome = c["outcomes"].get("lint") or c["outcomes"]["unit_problems"]
    for k, m in messages.items():
        if k not in lint["fixes"]:
            continue  # a problem only a host shows (not_in_effect)
        m = m[len("line {line}: "):] if m.startswith("line {line}: ") else m
        print(f"| `{cid}/{k}` | {lint_outcome['status']} | {cell(m)} | {cell(lint['fixes'][k])} | "
              f"{src(lint_outcome.get('sources'))} |")
    for k, v in lint.get("findings", {}).items():
        print(f"| `{cid}/{k}` | {v['status']} | {cell(v['message'])} | {cell(v['fix'])} | "
              f"{src(v.get('sources'))} |")

# The container files: container.gpu's outcomes where the check says the same of the file
# on a host, then what only its "lint" param has, per kind.
c = checks["container.gpu"]
lint = c["params"]["lint"]["value"]
for kind, title, keys in (
        ("daemon-json", "Docker daemon.json",
         ["cut_read", "daemon_json_invalid", "default_runtime_unknown", "daemon_runtimes_not_object",
          "daemon_runtime_no_path"]),
        ("cdi", "CDI specs",
         ["cut_read", "cdi_unreadable", "cdi_missing_field", "cdi_device_no_name",
          "cdi_driver_store_pinned"]),
        ("compose", "compose files",
         ["cut_read", "compose_unreadable", "compose_no_capabilities", "compose_count_and_device_ids",
          "gpu_hidden", "compose_cuda_hidden", "models_on_9p", "compose_env_only"])):
    print(f"\n## {title} (`container.gpu`, --kind {kind})\n")
    print(f"Not judged without the host: {lint['kinds'].get(kind, lint['not_judged'])}.\n")
    print("| rule | status | finding | fix | sources |\n|---|---|---|---|---|")
    for k in keys:
        v = c["outcomes"].get(k) or lint["findings"][k]
        print(f"| `container.gpu/{k}` | {v['status']} | {cell(v.get('summary') or v.get('message'))} | "
              f"{cell(v.get('fix'))} | {src(v.get('sources'))} |")
