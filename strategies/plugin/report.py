"""The conformance report: capability level x property -> pass / fail / not
applicable, with the number of examples each property ran.

Workers (pytest-xdist) attach what they know to each test report's
``user_properties``; the controller collects the rows and writes
``PATH.md``, ``PATH.json`` and, for each failure, its shrunk counterexample as a
runnable script and a Graphviz file (SVG too when ``dot`` is installed) in
``PATH-failures/``.
"""

from __future__ import annotations

import ast
import json
import re
import reprlib
import shlex
import shutil
import subprocess
import traceback
import types
from dataclasses import asdict, dataclass
from pathlib import Path
from types import TracebackType

import pytest

from strategies.survey.capabilities import LEVEL_NAMES, LEVELS

__all__ = [
    "ACCOUNT_KEY", "BOOK_ASIDE", "BOOK_KEY", "INTERNAL_KEYS", "ORIGIN_KEY", "TRACEBACK_KEY", "CULPRIT_KEY", "DOT_KEY", "ERROR_KEY", "EXAMPLES_KEY", "INHERITED", "LEVELS_KEY", "LOADING", "Row",
    "SCRIPT_KEY", "Cause", "assert_values", "cause_lines", "causes", "checklist", "examples_run", "failure_notes", "first_line", "level_of", "one_per_test",
    "report_files", "row_from", "save_failure", "write",
]

# Keys of the user_properties a worker attaches.
LEVELS_KEY = "dezero_levels"
EXAMPLES_KEY = "dezero_examples"
SCRIPT_KEY = "dezero_script"
DOT_KEY = "dezero_dot"
ERROR_KEY = "dezero_error"
# The failure's whole message (bounded), which book facts are matched against.
ACCOUNT_KEY = "dezero_account"
TRACEBACK_KEY = "dezero_traceback"
ORIGIN_KEY = "dezero_origin"
BOOK_KEY = "dezero_book"  # the book's verdict, added by the controller (JUnit XML shows it)
# Keys the report files keep but a JUnit XML report need not repeat.
INTERNAL_KEYS = frozenset({ACCOUNT_KEY, TRACEBACK_KEY, SCRIPT_KEY, DOT_KEY})
CULPRIT_KEY = "dezero_culprit"


def first_line(excinfo: pytest.ExceptionInfo[BaseException] | None) -> str:
    """``Type: first line of the message`` of a failure, for one table cell."""
    if excinfo is None:
        return ""
    exc = excinfo.value
    while getattr(exc, "exceptions", None):  # an exception group: its first failure
        exc = exc.exceptions[0]  # type: ignore[attr-defined]
    text = str(exc).strip().splitlines()
    if not text and exc.__traceback__ is not None:  # a bare assert: the line that failed, and its values
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        values = assert_values(exc.__traceback__, frame.line or "")
        return f"{type(exc).__name__} at {frame.filename}:{frame.lineno}: {frame.line}{values}"[:400]
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:300]


def assert_values(tb: TracebackType, line: str) -> str:
    """The values of the names and attributes a failed ``assert`` line reads, in the
    frame where it failed: `` (x.ndim = 3)``; "" when there are none to show."""
    while tb.tb_next is not None:
        tb = tb.tb_next
    try:
        statement = ast.parse(line.strip()).body[0]
    except (SyntaxError, IndexError):
        return ""
    if not isinstance(statement, ast.Assert):
        return ""
    shown: dict[str, str] = {}
    for node in ast.walk(statement.test):
        if not isinstance(node, (ast.Name, ast.Attribute)) or not _plain(node):
            continue
        source = ast.unparse(node)
        if source in shown:
            continue
        try:
            value = eval(compile(ast.Expression(node), "<assert>", "eval"), tb.tb_frame.f_globals, tb.tb_frame.f_locals)
        except Exception:  # noqa: BLE001  (a value that cannot be read again is left out)
            continue
        if not callable(value) and not isinstance(value, types.ModuleType):
            shown[source] = reprlib.repr(value)
    # The longest chains only: ``x.data.ndim = 3``, not ``x`` and ``x.data`` too.
    parts = [f"{k} = {v}" for k, v in shown.items() if k != v and not any(o.startswith(k + ".") for o in shown)]
    return f" ({', '.join(parts)})" if parts else ""


def _plain(node: ast.expr) -> bool:
    """A name, or attributes of a name (``x.data.ndim``): safe to read again."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)

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
    culprit: str = ""  # the first rule found wrong, for a failing graph property
    inherited: str = ""  # for a failure: why the book's DeZero fails it too, the same way, at this stage
    book_aside: str = ""  # for a failure the book has too, but that fails otherwise here: the book's reason
    traceback: str = ""  # the failure's traceback (the report files keep it; the terminal shows it with -v)
    origin: str = ""  # where the implementation's code raised it: "dezero/functions.py:622 in backward"
    script: str = ""  # the failure's counterexample, relative to the report
    dot: str = ""  # its graph in Graphviz DOT
    picture: str = ""  # and as SVG, when Graphviz is installed
    # The command that runs the script, from the folder the check ran in (paths as
    # --report was given: relative to that folder, or absolute).
    reproduce: str = ""


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
        crash = getattr(report.longrepr, "reprcrash", None)
        text = [str(crash.message)] if crash is not None else str(report.longrepr).strip().splitlines()[-1:]
        phase = report.when if report.when in ("setup", "teardown") else "crash"
        return Row(report.nodeid, level, "fail", reason=f"{phase}: {text[0] if text else ''}"[:300]), None
    if report.when != "call":
        return None, None
    status = {"passed": "pass", "failed": "fail", "skipped": "skipped"}[report.outcome]
    if hasattr(report, "wasxfail"):
        status = "xfail" if report.skipped else "xpass"
    examples, error, culprit = props.get(EXAMPLES_KEY), props.get(ERROR_KEY), props.get(CULPRIT_KEY)
    traceback_text, origin = props.get(TRACEBACK_KEY), props.get(ORIGIN_KEY)
    row = Row(report.nodeid, level, status, examples if isinstance(examples, int) else None,
              reason=error if isinstance(error, str) else "", culprit=culprit if isinstance(culprit, str) else "",
              traceback=traceback_text if isinstance(traceback_text, str) else "",
              origin=origin if isinstance(origin, str) else "")
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
    Graphviz's ``dot`` is installed) into the failures folder of ``path``, link
    them from ``row`` (relative to the report's folder) and set its ``reproduce``
    command (relative to the folder of the run, as ``path`` is)."""
    _, _, failures_dir = report_files(path)
    failures_dir.mkdir(parents=True, exist_ok=True)
    stem = _file_stem(row.nodeid)
    (failures_dir / f"{stem}.py").write_text(script)
    row.script = f"{failures_dir.name}/{stem}.py"
    row.reproduce = f"python {shlex.quote(str(failures_dir / f'{stem}.py'))}"
    if not dot:
        return
    (failures_dir / f"{stem}.dot").write_text(dot)
    row.dot = f"{failures_dir.name}/{stem}.dot"
    graph = failures_dir / f"{stem}.dot"
    dot_program = shutil.which("dot")
    if dot_program:
        svg = failures_dir / f"{stem}.svg"
        subprocess.run([dot_program, "-Tsvg", "-o", str(svg), str(failures_dir / f"{stem}.dot")],
                       check=False, timeout=60)
        if svg.exists():
            row.picture = f"{failures_dir.name}/{stem}.svg"
            graph = svg
    row.reproduce += f" (graph: {shlex.quote(str(graph))})"


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


INHERITED = "the book's DeZero fails this too"
BOOK_ASIDE = "the book fails this property too, but differently"


def _counts(rows: list[Row]) -> dict[str, int]:
    counts = {"pass": 0, "fail": 0, "inherited": 0, "not applicable": 0, "skipped": 0, "xfail": 0, "xpass": 0}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
        if row.status == "fail" and row.inherited:
            counts["inherited"] += 1
    return counts


def checklist(rows: list[Row]) -> list[str]:
    """One line per capability level, in the order of the book's stages: a mark, the
    level, where it begins in the book, and its counts."""
    rows = one_per_test(rows)
    meanings = {name: (meaning, steps) for name, meaning, steps in LEVELS}
    lines = []
    for level in (LOADING, *LEVEL_NAMES):
        mine = [r for r in rows if r.level == level]
        if not mine:
            continue
        c = _counts(mine)
        mark = "FAIL" if c["fail"] > c["inherited"] else ("fail*" if c["fail"] else ("ok" if c["pass"] else "n/a"))
        meaning, steps = meanings.get(level, ("the implementation loads, and its parts import", ""))
        where = f" (the book's {steps})" if steps else ""
        parts = [f"{c['pass']} pass", f"{c['fail']} fail" + (f" ({c['inherited']} of them as in the book)"
                                                             if c["inherited"] else "")]
        parts += [f"{c[k]} {k}" for k in ("not applicable", "skipped", "xfail", "xpass") if c[k]]
        lines.append(f"[{mark:>5}] {level:<12} {meaning}{where}: {', '.join(parts)}")
    return lines


@dataclass
class Cause:
    """Failures that one fix is likely to mend: the same culprit Function, the same
    exception raised at the same line of the implementation, or the same failure
    of the book's."""

    title: str
    rows: list[Row]


def causes(rows: list[Row]) -> list[Cause]:
    """The failures among ``rows``, grouped by root cause, in the order first seen."""
    groups: dict[tuple[str, str], Cause] = {}
    for row in (r for r in one_per_test(rows) if r.status == "fail"):
        function = row.culprit.partition(" (")[0] if row.culprit.endswith(")") or " (v" in row.culprit else ""
        if function:
            key, title = ("culprit", function), function
        elif row.inherited:
            key, title = ("book", row.inherited), f"as in the book: {row.inherited}"
        elif row.origin:
            error = row.reason.partition(":")[0]
            key, title = ("origin", f"{error} {row.origin}"), f"{error} at {row.origin}"
        else:
            key, title = ("reason", row.reason), row.reason[:120]
        groups.setdefault(key, Cause(title, [])).rows.append(row)
    return list(groups.values())


def cause_lines(cause: Cause) -> list[str]:
    """What the terminal shows of one cause: its title, the first failure's notes,
    and the other properties it fails."""
    first = cause.rows[0]
    if len(cause.rows) == 1:
        lines = [f"FAIL {first.nodeid.split('::', 1)[-1]}"]
    else:
        lines = [f"FAIL {cause.title}: {len(cause.rows)} failures, one cause"]
        lines.append(f"     first: {first.nodeid.split('::', 1)[-1]}")
    lines += [f"     {note}" for note in failure_notes(first)]
    others = [r.nodeid.split("::", 1)[-1] for r in cause.rows[1:]]
    if others:
        shown = ", ".join(others[:6]) + (f" and {len(others) - 6} more" if len(others) > 6 else "")
        lines.append(f"     also: {shown}")
    return lines


def failure_notes(row: Row) -> list[str]:
    """What a learner needs under one failure: the culprit, the reason, the book's
    verdict, the script."""
    notes = [f"why: {row.reason}"] if row.reason else []
    if row.culprit:
        notes.insert(0, f"culprit: {row.culprit}")
    if row.inherited:
        notes.append(f"{INHERITED}: {row.inherited}")
    elif row.book_aside:
        notes.append(f"this failure is yours ({BOOK_ASIDE}: {row.book_aside})")
    if row.reproduce:
        notes.append(f"reproduce: {row.reproduce}")
    return notes


def _markdown(rows: list[Row], header: dict[str, str]) -> str:
    lines = ["# Conformance report", ""]
    lines += [f"- {key}: {value}" for key, value in header.items()]
    c = _counts(rows)
    lines += ["- results: " + ", ".join(f"{n} {status}" for status, n in c.items() if n), ""]
    lines += ["## Checklist", "", "```", *checklist(rows), "```", ""]
    failures = [r for r in rows if r.status == "fail"]
    if failures:
        lines += ["## Failures", ""]
        for row in failures:
            lines.append(f"- **{row.level}** `{row.nodeid.split('::', 1)[-1]}`")
            lines += [f"  - {note}" for note in failure_notes(row)]
            if row.traceback:
                lines += ["", "  <details><summary>traceback</summary>", "", "  ```text",
                          *(f"  {line}" for line in row.traceback.splitlines()), "  ```", "", "  </details>", ""]
        lines.append("")
    lines += ["## Every property", ""]
    lines += ["| level | property | result | examples | why | counterexample |", "|---|---|---|---|---|---|"]
    for row in rows:
        name = row.nodeid.split("::", 1)[-1]
        link = f"[script]({row.script})" if row.script else ""
        if row.picture or row.dot:
            link += f", [graph]({row.picture or row.dot})"
        why = (f"{row.culprit}; " if row.culprit else "") + row.reason
        if row.inherited:
            why += f" ({INHERITED}: {row.inherited})"
        why = why.replace("|", "\\|").replace("\n", " ")[:300]
        examples = "" if row.examples is None else str(row.examples)
        lines.append(f"| {row.level} | `{name}` | {row.status} | {examples} | {why} | {link} |")
    return "\n".join(lines) + "\n"
