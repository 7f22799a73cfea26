"""Loading an implementation: a module name, a package, a folder holding one, or a
single program file such as the book's ``step09.py``.

Whatever goes wrong becomes a :class:`Finding` the report can show, with a known
fix where there is one, instead of an error inside the suite:

- a package that does not import (a ``SyntaxError``, ``np.int`` on NumPy >= 1.24, a
  missing dependency) raises :class:`LoadError` carrying the finding;
- a submodule that does not import (``dezero/functions.py`` with a broken import)
  is recorded, and the implementation is checked without it;
- a program file is run statement by statement (its output discarded, in a
  temporary folder), so that its definitions survive an error or a hang in its demo
  code; each such error is recorded.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import importlib.machinery
import io
import os
import re
import socket
import sys
import tempfile
import types
import urllib.error
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from strategies.implementation.timeouts import TimedOut, time_limit

__all__ = [
    "check_origin", "name_it_imports_itself_by", "under_its_own_name",
    "Finding", "KNOWN_FIXES", "LoadError", "OFFLINE_ERRORS", "STATEMENT_SECONDS", "describe", "finding",
    "import_module", "known_fix", "package_in", "put_first_on_path", "run_program",
]

# A program's top-level statement may run this long (the book's later steps train
# for minutes in their demo code; the definitions before it are what the suite needs).
STATEMENT_SECONDS = 10.0


@dataclass(frozen=True)
class Finding:
    """Something wrong with the implementation found while loading or probing it."""

    subject: str  # "import dezero.functions", "step09.py line 52"
    problem: str  # the exception, on one line
    fix: str = ""  # a known fix, when there is one
    # "import" (a module), "program" (a statement of a program file that raised),
    # "offline" (one that raised because there is no network), "slow" (one that was
    # stopped), "load"
    kind: str = "import"

    def __str__(self) -> str:
        return f"{self.subject}: {self.problem}" + (f" (fix: {self.fix})" if self.fix else "")


class LoadError(Exception):
    """The implementation could not be loaded at all."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(str(finding))
        self.finding = finding


# (pattern of the problem, the fix): the usual reasons a DeZero does not import.
KNOWN_FIXES: tuple[tuple[str, str], ...] = (
    (r"module 'numpy' has no attribute '(int|float|bool|object|complex|str)'",
     r"np.\1 was removed in NumPy 1.24: write the builtin \1 (or np.\1_ / np.int64)"),
    (r"No module named 'PIL'", "pip install pillow (or import it only where images are loaded)"),
    (r"No module named 'matplotlib'", "pip install matplotlib (or import it only where plots are drawn)"),
    (r"No module named 'cupy'", "CuPy is optional: import it inside try/except ImportError, as the book's "
                                "dezero.cuda does"),
    (r"No module named 'numpy\.lib\.(arraysetops|function_base|index_tricks|nanfunctions|shape_base|"
     r"twodim_base|type_check|ufunclike|utils)'",
     r"numpy.lib.\1 is private since NumPy 2.0 (not a package to install): import the function from numpy itself "
     r"(np.unique, np.isin, np.pad, ...)"),
    (r"No module named 'numpy\.([\w.]+)'", r"numpy.\1 is not in the installed NumPy (not a package to install): "
                                           r"import the name from numpy itself"),
    (r"No module named '([\w.]+)'", r"pip install \1, or fix the import"),
    (r"^SyntaxError", "fix the syntax error at the line shown"),
    (r"URLError|urlopen error", "the program downloads data (a dataset, weights): without a network its demo "
                                "fails; the suite checks its definitions anyway"),
)


# What a statement raises when it downloads without a network (URLError is an OSError).
OFFLINE_ERRORS = (urllib.error.URLError, ConnectionError, socket.gaierror)


def known_fix(problem: str) -> str:
    for pattern, fix in KNOWN_FIXES:
        match = re.search(pattern, problem)
        if match:
            return match.expand(fix)
    return ""


def describe(exc: BaseException) -> str:
    """``Type: first line`` of an exception (with the place of a SyntaxError)."""
    if isinstance(exc, SyntaxError):
        return f"SyntaxError: {exc.msg} ({exc.filename}, line {exc.lineno})"
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0] if lines else ''}"[:300]


def finding(subject: str, exc: BaseException, kind: str = "import") -> Finding:
    problem = describe(exc)
    return Finding(subject, problem, known_fix(problem), kind)


# --------------------------------------------------------------------- import paths


class _Without:
    """A meta-path finder that passes every request on to ``finder`` except for
    the package ``name`` and its submodules."""

    def __init__(self, finder: Any, name: str) -> None:
        self.finder, self.name = finder, name

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname == self.name or fullname.startswith(self.name + "."):
            return None
        return self.finder.find_spec(fullname, path, target)


def put_first_on_path(folder: Path, name: str) -> None:
    """Make ``import name`` find the package in ``folder``.

    Import hooks placed after the path finder (an editable install of the reference,
    say) are stopped from supplying ``name.*`` modules: ``import dezero.functions``
    inside a learner's package must find the learner's module or nothing.
    """
    loaded = sys.modules.get(name)
    origin = os.path.realpath(getattr(loaded, "__file__", "") or "") if loaded is not None else ""
    expected = os.path.realpath(folder / name)
    if loaded is not None and not (origin.startswith(expected + os.sep) or origin == expected + ".py"):
        raise LoadError(Finding(
            f"import {name}", f"a different module named {name!r} is already imported ({origin or '?'})",
            "run the implementation in a process of its own",
        ))
    sys.path.insert(0, str(folder))
    path_finder = importlib.machinery.PathFinder
    if path_finder in sys.meta_path:
        start = sys.meta_path.index(path_finder) + 1
        sys.meta_path[start:] = [_Without(f, name) for f in sys.meta_path[start:]]


def import_module(name: str) -> types.ModuleType:
    """``importlib.import_module``, any failure as a :class:`LoadError`."""
    try:
        return importlib.import_module(name)
    except BaseException as exc:  # noqa: BLE001  (SystemExit and KeyboardInterrupt-free code paths too)
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise LoadError(finding(f"import {name}", exc)) from exc


def package_in(path: Path) -> tuple[str, Path]:
    """(name, parent folder) of the package ``path`` is or holds."""
    if (path / "__init__.py").is_file():
        return path.name, path.parent
    packages = sorted(p.name for p in path.iterdir() if (p / "__init__.py").is_file()) if path.is_dir() else []
    if len(packages) != 1:
        raise LoadError(Finding(
            str(path), f"not a .py file, a package, or a folder holding exactly one package "
            f"(found {packages or 'none'})",
        ))
    return packages[0], path


def name_it_imports_itself_by(folder: Path) -> str:
    """The name a package folder's own modules import it by, when that is not the
    folder's name: a copy of a DeZero in ``hang_dezero/`` whose modules say
    ``from dezero.core import Variable``. Loaded under its folder's name, such a
    package would run whatever else ``dezero`` is installed; it must be loaded
    under the name it uses. "" when its modules import it relatively or by its own
    name."""
    own = {p.stem for p in folder.glob("*.py")} | {p.name for p in folder.iterdir() if (p / "__init__.py").is_file()}
    counts: dict[str, int] = {}
    for source in folder.rglob("*.py"):
        try:
            tree = ast.parse(source.read_text(errors="replace"))
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            modules = ([node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module else
                       [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            for module in modules:
                top, _, rest = module.partition(".")
                if top != folder.name and (top == "dezero" or (rest and rest.partition(".")[0] in own)):
                    counts[top] = counts.get(top, 0) + 1
    return max(counts, key=lambda n: counts[n]) if counts else ""


def under_its_own_name(folder: Path, name: str) -> Path:
    """A folder holding ``name``, a link to the package ``folder`` (so that the
    package loads under the name its modules use), kept for this process."""
    holder = Path(tempfile.mkdtemp(prefix="dezero-as-"))
    (holder / name).symlink_to(folder, target_is_directory=True)
    return holder


def check_origin(package: types.ModuleType, variable: object, folder: Path) -> None:
    """The implementation that was loaded is the one at ``folder``: its package and
    the module defining its Variable come from there, not from another installed
    package of the same name."""
    places = {"the package": getattr(package, "__file__", None)}
    module = sys.modules.get(getattr(variable, "__module__", "") or "")
    if module is not None:
        places[f"its Variable ({module.__name__})"] = getattr(module, "__file__", None)
    for what, file in places.items():
        if file and not os.path.realpath(file).startswith(os.path.realpath(folder) + os.sep):
            raise LoadError(Finding(
                str(folder), f"{what} was loaded from {file}, not from {folder}: its modules import a package "
                "that another installation provides",
                "load it under the name its modules import, or make those imports relative",
            ))


# --------------------------------------------------------------------- program files


@contextlib.contextmanager
def _quietly_elsewhere() -> Iterator[None]:
    """Discard output, and run in a temporary folder (a program's demo code may
    write files), with matplotlib drawing off-screen."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    here = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="dezero-program-") as folder:
        os.chdir(folder)
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                yield
        finally:
            os.chdir(here)


def _packages_it_imports(tree: ast.Module, folder: Path) -> list[tuple[str, Path]]:
    """The packages a program imports that lie next to it or one folder up (the
    book's steps put ``..`` on ``sys.path`` to reach ``../dezero``)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    found = []
    for name in sorted(names):
        for place in (folder, folder.parent):
            if (place / name / "__init__.py").is_file():
                found.append((name, place))
                break
    return found


def run_program(path: Path) -> tuple[types.ModuleType, list[Finding]]:
    """Run a program file as a module, one top-level statement at a time."""
    source = path.read_text()
    try:
        tree = ast.parse(source, str(path))
    except SyntaxError as exc:
        raise LoadError(finding(f"{path.name}", exc)) from exc
    for name, place in _packages_it_imports(tree, path.parent):
        put_first_on_path(place, name)
    module = types.ModuleType(path.stem)
    module.__file__ = str(path)
    sys.modules[path.stem] = module
    findings: list[Finding] = []
    with _quietly_elsewhere():
        for node in tree.body:
            code = compile(ast.Module(body=[node], type_ignores=[]), str(path), "exec")
            try:
                with time_limit(STATEMENT_SECONDS, f"the statement at line {node.lineno}"):
                    exec(code, module.__dict__)  # the program under test, as `python program.py` would
            except TimedOut:  # a demo that trains for minutes: no defect, but not waited for
                findings.append(Finding(f"{path.name} line {node.lineno}", f"stopped after {STATEMENT_SECONDS:g} s "
                                        "(the suite does not wait for a program's long demo)", kind="slow"))
            except (Exception, SystemExit) as exc:
                kind = "offline" if isinstance(exc, OFFLINE_ERRORS) else "program"
                findings.append(finding(f"{path.name} line {node.lineno}", exc, kind=kind))
    return module, findings
