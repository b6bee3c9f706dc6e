#!/usr/bin/env python3
"""Recompute the counts in docs/security/asvs.md from its rows (run after
editing statuses)."""
import re, sys
p = sys.argv[1] if len(sys.argv) > 1 else "docs/security/asvs.md"
lines = open(p).read().split("\n")
rows = []
chapter = None
per = {}
for l in lines:
    m = re.match(r"## (V\d+)", l)
    if m:
        chapter = m.group(1)
        per[chapter] = {"Met": 0, "Planned": 0, "N/A": 0}
    m = re.match(r"\| (\d+\.\d+\.\d+) \| (\d) \| .*? \| (\*\*Met\*\*|Planned[^|]*|N/A) \|", l)
    if m:
        st = "Met" if "Met" in m.group(3) else ("N/A" if m.group(3) == "N/A" else "Planned")
        rows.append((m.group(1), m.group(2), st, m.group(3)))
        per[chapter][st] += 1
tot = {k: sum(1 for r in rows if r[2] == k) for k in ("Met", "Planned", "N/A")}
lvl = {(k, L): sum(1 for r in rows if r[2] == k and r[1] == L) for k in tot for L in "12"}
out = []
chapter = None
for l in lines:
    m = re.match(r"## (V\d+)", l)
    if m:
        chapter = m.group(1)
    if chapter and re.match(r"^\d+ Met, \d+ Planned, \d+ N/A\.$", l):
        c = per[chapter]
        l = f"{c['Met']} Met, {c['Planned']} Planned, {c['N/A']} N/A."
    l = re.sub(r"^\*\*Counts:\*\* .*", f"**Counts:** {tot['Met']} Met, {tot['Planned']} Planned, {tot['N/A']} N/A (of {len(rows)}).", l)
    for k in tot:
        if l.startswith(f"| {k} | ") and re.match(rf"\| {re.escape(k)} \| \d+ \| \d+ \| \d+ \|$", l):
            l = f"| {k} | {lvl[(k, '1')]} | {lvl[(k, '2')]} | {tot[k]} |"
    out.append(l)
issues = {}
for r in rows:
    if r[2] == "Planned":
        m = re.search(r"issue (\d+)", r[3])
        key = f"issue {m.group(1)}" if m else "backlog"
        issues[key] = issues.get(key, 0) + 1
text = "\n".join(out)
summary = ", ".join(f"{k}: {v}" for k, v in sorted(issues.items(), key=lambda kv: (kv[0] == "backlog", kv[0])))
text = re.sub(r"Planned, by issue: [^.]*\.", f"Planned, by issue: {summary}.", text, count=1)
open(p, "w").write(text)
print(tot, issues)
