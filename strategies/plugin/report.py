"""The conformance report: capability level x property -> pass / fail / not
applicable, with the number of examples each property ran.

Workers (pytest-xdist) attach what they know to each test report's
``user_properties``; the controller collects the rows and writes
``PATH.md``, ``PATH.json`` and, for each failure, its shrunk counterexample as a
runnable script and a Graphviz file (SVG too when ``dot`` is installed) in
``PATH-failures/``.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest

from strategies.capabilities import LEVEL_NAMES, LEVELS

# Keys of the user_properties a worker attaches.
LEVELS_KEY = "dezero_levels"
EXAMPLES_KEY = "dezero_examples"
SCRIPT_KEY = "dezero_script"
DOT_KEY = "dezero_dot"
ERROR_KEY = "dezero_error"


def first_line(excinfo: pytest.ExceptionInfo[BaseException] | None) -> str:
    """``Type: first line of the message`` of a failure, for one table cell."""
    if excinfo is None:
        return ""
    exc = excinfo.value
    while getattr(exc, "exceptions", None):  # an exception group: its first failure
        exc = exc.exceptions[0]  # type: ignore[attr-defined]
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:200]

_PHASE = re.compile(r"during (\w+) phase.*?(\d+) passing, (\d+) failing", re.S)


def examples_run(statistics: str) -> int | None:
    """How many examples ran before shrinking, from Hypothesis's statistics text."""
    counts = [
        int(passing) + int(failing)
        for phase, passing, failing in _PHASE.findall(statistics)
        if phase in ("explicit", "reuse", "generate")
    ]
    return sum(counts) if counts else None


@dataclass
class Row:
    nodeid: str
    level: str
    status: str  # "pass", "fail", "not applicable", "skipped", "xfail", "xpass"
    examples: int | None = None
    reason: str = ""
    script: str = ""  # the failure's counterexample, relative to the report
    dot: str = ""  # its graph in Graphviz DOT
    picture: str = ""  # and as SVG, when Graphviz is installed


def row_from(report: pytest.TestReport) -> tuple[Row | None, tuple[str, str] | None]:
    """The report row of one test phase (None for phases that make no row), and the
    failure's (script, DOT) when the worker attached them."""
    props = dict(report.user_properties)
    levels = props.get(LEVELS_KEY, [])
    level = level_of([str(x) for x in levels] if isinstance(levels, list) else [])
    if report.skipped and not hasattr(report, "wasxfail") and report.when in ("setup", "call"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        status = "not applicable" if "not applicable" in reason else "skipped"
        return Row(report.nodeid, level, status, reason=reason.removeprefix("Skipped: ")), None
    if report.failed and report.when != "call":
        # An error in setup or teardown, or a worker that crashed (pytest-xdist
        # reports it with when="???"): the test failed without a call report.
        text = str(report.longrepr).strip().splitlines()
        phase = report.when if report.when in ("setup", "teardown") else "crash"
        return Row(report.nodeid, level, "fail", reason=f"{phase}: {text[-1] if text else ''}"[:300]), None
    if report.when != "call":
        return None, None
    status = {"passed": "pass", "failed": "fail", "skipped": "skipped"}[report.outcome]
    if hasattr(report, "wasxfail"):
        status = "xfail" if report.skipped else "xpass"
    examples, error = props.get(EXAMPLES_KEY), props.get(ERROR_KEY)
    row = Row(report.nodeid, level, status, examples if isinstance(examples, int) else None,
              reason=error if isinstance(error, str) else "")
    script, dot = props.get(SCRIPT_KEY), props.get(DOT_KEY)
    return row, ((script, dot) if isinstance(script, str) and isinstance(dot, str) else None)


LOADING = "loading"  # the level of the rows that need no capability: the implementation loads


def level_of(required: list[str]) -> str:
    """The most advanced capability level a property needs (``loading`` for none)."""
    known = [level for level in required if level in LEVEL_NAMES]
    return max(known, key=LEVEL_NAMES.index) if known else LOADING


def _file_stem(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.split("::", 1)[-1]).strip("_")[:120]


def report_files(path: Path) -> tuple[Path, Path, Path]:
    """The Markdown file, the JSON file and the failures' folder of ``--report PATH``:
    ``PATH.md``, ``PATH.json``, ``PATH-failures/`` (a ``.md`` or ``.json`` ending of
    PATH is dropped first; any other dot, as in ``dezero-0.0.13``, stays)."""
    if path.suffix in (".md", ".json"):
        path = path.with_suffix("")
    return (path.parent / (path.name + ".md"), path.parent / (path.name + ".json"),
            path.parent / (path.name + "-failures"))


def save_failure(path: Path, row: Row, script: str, dot: str) -> None:
    """Write a failure's counterexample script and graph (and its SVG picture when
    Graphviz's ``dot`` is installed) into the failures folder of ``path``, and link
    them from ``row``."""
    _, _, failures_dir = report_files(path)
    failures_dir.mkdir(parents=True, exist_ok=True)
    stem = _file_stem(row.nodeid)
    (failures_dir / f"{stem}.py").write_text(script)
    (failures_dir / f"{stem}.dot").write_text(dot)
    row.script = f"{failures_dir.name}/{stem}.py"
    row.dot = f"{failures_dir.name}/{stem}.dot"
    dot_program = shutil.which("dot")
    if dot_program:
        svg = failures_dir / f"{stem}.svg"
        subprocess.run([dot_program, "-Tsvg", "-o", str(svg), str(failures_dir / f"{stem}.dot")],
                       check=False, timeout=60)
        if svg.exists():
            row.picture = f"{failures_dir.name}/{stem}.svg"


def write(path: Path, rows: list[Row], header: dict[str, str]) -> None:
    """Write the report files of ``path`` (:func:`report_files`): the table and its
    JSON (each through a temporary file, so a reader never sees half of one)."""
    markdown, json_file, _ = report_files(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = one_per_test(rows)
    rows = sorted(rows, key=lambda r: (LEVEL_NAMES.index(r.level) if r.level in LEVEL_NAMES else -1, r.nodeid))
    document = {"header": header, "levels": [list(level) for level in LEVELS], "results": [asdict(r) for r in rows]}
    _replace(json_file, json.dumps(document, indent=2))
    _replace(markdown, _markdown(rows, header))


def _replace(target: Path, text: str) -> None:
    partial = target.with_name(target.name + ".partial")
    partial.write_text(text)
    partial.replace(target)


def one_per_test(rows: list[Row]) -> list[Row]:
    """One row per test: a failure in any phase wins over the other phases' rows."""
    kept: dict[str, Row] = {}
    for row in rows:
        if row.nodeid not in kept or (row.status == "fail" and kept[row.nodeid].status != "fail"):
            kept[row.nodeid] = row
    return list(kept.values())


def _markdown(rows: list[Row], header: dict[str, str]) -> str:
    lines = ["# Conformance report", ""]
    lines += [f"- {key}: {value}" for key, value in header.items()]
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    lines += ["- results: " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items())), ""]
    lines += ["| level | property | result | examples | why | counterexample |", "|---|---|---|---|---|---|"]
    for row in rows:
        name = row.nodeid.split("::", 1)[-1]
        link = f"[script]({row.script}), [graph]({row.picture or row.dot})" if row.script else ""
        why = row.reason.replace("|", "\\|").replace("\n", " ")[:160]
        examples = "" if row.examples is None else str(row.examples)
        lines.append(f"| {row.level} | `{name}` | {row.status} | {examples} | {why} | {link} |")
    return "\n".join(lines) + "\n"
