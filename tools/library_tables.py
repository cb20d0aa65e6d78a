"""Print the README's library tables (per file, per claim, every theorem) from a run of ``symconv check``.

Usage: ``python tools/library_tables.py [PATH...]`` (default ``proofs/``); paste the
output over the tables under "The theorem library" in README.md.
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict

from symconv.library.run import check

VERDICTS = ("proved", "checked", "refuted", "unknown")


def tables(paths: list[str]) -> str:
    report = check(paths or None).to_json()
    by_file: dict[str, Counter] = defaultdict(Counter)
    by_claim: dict[str, Counter] = defaultdict(Counter)
    for t in report["theorems"]:
        by_file[t["file"]][t["verdict"]] += 1
        for claim in t["claims"]:
            by_claim[claim][t["verdict"]] += 1
    lines = ["| file | theorems | " + " | ".join(VERDICTS) + " |", "| --- " * (len(VERDICTS) + 2) + "|"]
    for name in sorted(by_file):
        counts = by_file[name]
        lines.append(f"| `{name}` | {sum(counts.values())} | " + " | ".join(str(counts[v]) for v in VERDICTS) + " |")
    lines += ["", "| claim | verdicts of its theorems |", "| --- | --- |"]
    for claim in sorted(by_claim, key=lambda c: tuple(int(p) for p in c[1:].split("."))):
        counts = by_claim[claim]
        lines.append(f"| {claim} | " + ", ".join(f"{counts[v]} {v}" for v in VERDICTS if counts[v]) + " |")
    lines += ["", "<details><summary>Every theorem and its verdict</summary>", "",
              "| file | theorem | claims | verdict |", "| --- | --- | --- | --- |"]
    for t in report["theorems"]:
        claims = ", ".join(t["claims"]) or "-"
        lines.append(f"| `{t['file'].rsplit('/', 1)[-1]}` | `{t['name']}` | {claims} | {t['verdict']} |")
    lines += ["", "</details>"]
    return "\n".join(lines)


if __name__ == "__main__":
    print(tables(sys.argv[1:]))
