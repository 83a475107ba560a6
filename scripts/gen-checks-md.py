#!/usr/bin/env python3
"""Regenerates docs/checks.md from the rules and the registry of a built doctor.
usage: scripts/gen-checks-md.py [build/wsl-llm-doctor] > docs/checks.md"""
import json
import subprocess
import sys

doctor = sys.argv[1] if len(sys.argv) > 1 else "build/wsl-llm-doctor"
rules = json.loads(subprocess.check_output([doctor, "rules"]))
checks = json.loads(subprocess.check_output([doctor, "list", "--format", "json"]))
sources = rules["sources"]


def cell(s):
    return (s or "").replace("|", "\\|").replace("\n", " ")


def src(k):
    return f"[{k}]({sources[k]['url']})" if k in sources else k


print("""# Check catalogue

Generated from `rules/*.json` and the registry (`wsl-llm-doctor rules`, `wsl-llm-doctor list`)
by `scripts/gen-checks-md.py`; regenerate it when the rules change.
Statuses: pass, warn, fail, skip (does not apply, with the reason), error (the probe broke or timed out).
Only outcomes backed by NVIDIA/Microsoft documentation (or, marked `observed`, by what the host itself shows) may fail;
field reports, such as the setup guide's driver rows, only warn.

One cause, one failure: an outcome may *follow* findings of other checks (`"follows"` in the
rules, listed under each check). When one of those findings is in the same report, the
outcome is reported as skip naming its cause (`caused_by` in JSON), keeps its summary, and
gives up its fix for the cause's; the counts count causes, and a chain (A follows B follows
C) names its root. A fail or an error only follows a fail or an error.

Where the setup guide is wrong, the rules follow the documented fact: `/dev/dxg` needs kernel 4.19.121 (not 5.15.153.1);
driver 560.94 meets CUDA 12.6 GA-Update 2 but not 12.6 Update 3 (561.17); Turing is compute capability 7.5, not 80.""")
for c in checks:
    r = rules["checks"][c["id"]]
    print(f"\n## `{c['id']}`: {c['title']}\n")
    print(f"**Looks at:** {c['looks_at']}\n")
    print(f"**Guards against:** {r.get('guards', '')}\n")
    print(f"**Why:** {r.get('why', '')}")
    params = r.get("params", {})
    if params:
        print("\n**Rule data:**\n")
        for name, p in params.items():
            v = json.dumps(p["value"], ensure_ascii=False)
            if len(v) > 120:
                v = v[:117] + "..."
            note = f" — {p['note']}" if p.get("note") else ""
            print(f"- `{name}` = `{v}` ({src(p['source'])}){note}")
    print("\n| outcome | status | summary | fix |\n|---|---|---|---|")
    for k, o in r["outcomes"].items():
        print(f"| `{k}` | {o['status']} | {cell(o['summary'])} | {cell(o.get('fix'))} |")
    follows = [(k, l) for k, o in r["outcomes"].items() for l in o.get("follows", [])]
    if follows:
        print("\n**Follows from** (skipped, naming the cause, when that finding is in the report):\n")
        for k, l in follows:
            outs = ", ".join(f"`{x}`" for x in l["outcomes"])
            print(f"- `{k}` follows `{l['check']}` {outs}")
    explains = sorted({(other, k) for other, oc in rules["checks"].items()
                       for k, o in oc["outcomes"].items()
                       for l in o.get("follows", []) if l["check"] == c["id"]})
    if explains:
        print("\n**Its findings explain:** " + ", ".join(f"`{o}` `{k}`" for o, k in explains))
    used = set(r.get("sources", []))
    for o in r["outcomes"].values():
        used |= set(o.get("sources", []))
    if used:
        refs = ", ".join(f"{src(k)} ({sources[k]['authority']})" for k in sorted(used))
        print(f"\n**Sources:** {refs}")
