"""Write docs/conformance/book.md from the suite's reports on the book's own code.

``python -m tests.selftest.report_book REPORTS_DIR > docs/conformance/book.md``
reads ``REPORTS_DIR/<name>.json`` (``dezero-check <program or package> --report
REPORTS_DIR/<name>``, one per step program, ``book`` for the package,
``core_simple`` for its simple core) and tabulates, stage by stage, what each run
found: every failure with the book's reason (``strategies/reports/book.py``), and any
failure without one marked as such (there should be none: a failure on the book's
code that is not a defect of it would be a bug of the suite).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from strategies.reports.book import inherited, stage
from strategies.survey.capabilities import LEVEL_NAMES


def _order(name: str) -> tuple[int, str]:
    match = re.fullmatch(r"step(\d+)", name)
    return (int(match.group(1)), name) if match else (100, name)


def _levels(document: dict[str, Any]) -> list[str]:
    return [level.strip() for level in document["header"].get("capability levels", "").split(",") if level.strip()]


def main(folder: str) -> None:
    runs = {p.stem: json.loads(p.read_text()) for p in Path(folder).glob("*.json")}
    print("# The suite on the book's own code\n")
    print("Each of the book's step programs that defines or imports a Variable, its simple core")
    print("(`dezero/core_simple.py`) and its final package, checked by `dezero-check` as a learner")
    print("would: `dezero-check PROGRAM -n 1 --hypothesis-profile dev --shrink-seconds 10 --report")
    print("REPORTS/NAME` for each, then `python -m tests.selftest.report_book REPORTS`. (One worker")
    print("process, not `-n 0`: a seed of the wrong shape can make NumPy's `add.at` in the book's")
    print("`GetItemGrad` crash the interpreter, as it did in a run of step 60 with `-n 0`; in a worker")
    print("that fails one test, not the run.) Every failure")
    print("is a defect of the book's code at that stage; the reason is the one the suite prints for a")
    print("learner's failure of the same property at the same stage (`strategies/reports/book.py`). A run")
    print("with no capability level at all (the program defines no Variable) exits non-zero: nothing")
    print("could be checked.\n")
    print("| run | capability levels | the book's steps | pass | fail | not applicable |")
    print("|---|---|---|---|---|---|")
    for name in sorted(runs, key=_order):
        document = runs[name]
        rows = document["results"]
        first, last = stage(_levels(document))
        count = {s: sum(r["status"] == s for r in rows) for s in ("pass", "fail", "not applicable")}
        shown = ", ".join(level for level in LEVEL_NAMES if level in _levels(document)) or "none"
        print(f"| {name} | {shown} | {first}-{last} | {count['pass']} | {count['fail']} | {count['not applicable']} |")
    failures: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for name in sorted(runs, key=_order):
        levels = _levels(runs[name])
        program = Path(runs[name]["header"]["implementation"]).name
        for row in (r for r in runs[name]["results"] if r["status"] == "fail"):
            account = "\n".join((row["reason"], row.get("culprit", "")))
            why = inherited(row["nodeid"], levels, account, program if program.endswith(".py") else "",
                            row.get("culprit", ""))
            what = (row.get("culprit") or row["reason"]).replace("|", "\\|").replace("\n", " ")[:200]
            failures.setdefault((row["nodeid"].split("::", 1)[-1], why), []).append((name, what))
    print_failures(failures)


def _ranges(names: list[str]) -> str:
    """``step07, step08, step09, book`` as ``steps 7-9, book``."""
    numbers = [int(n[4:]) for n in names if re.fullmatch(r"step\d+", n)]
    spans: list[list[int]] = []
    for n in numbers:
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    parts = [f"{a}-{b}" if a != b else f"{a}" for a, b in spans]
    others = [n for n in names if not re.fullmatch(r"step\d+", n)]
    return ", ".join(([("steps " if len(numbers) > 1 else "step ") + ", ".join(parts)] if parts else []) + others)


def print_failures(failures: dict[tuple[str, str], list[tuple[str, str]]]) -> None:
    """One row per property and reason, with the runs that fail it (in the order of
    the book) and what the first of them showed."""
    print("\n## Failures, and why\n")
    print("| property | runs that fail it | what fails (in the first) | why (the book's defect) |")
    print("|---|---|---|---|")
    for (prop, why), seen in failures.items():
        names = _ranges([name for name, _ in seen])
        print(f"| `{prop}` | {names} | {seen[0][1]} | {why or '**no recorded reason**'} |")


if __name__ == "__main__":
    main(sys.argv[1])
