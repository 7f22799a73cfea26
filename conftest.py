"""What only contributors need; the suite itself is the plugin ``strategies.plugin``.

- The Hypothesis profiles keep their example database in this checkout.
- Tests of the reference itself (``tests/reference``) and of the suite's power
  against broken copies of it (``tests/selftest``) only run when the reference is
  the implementation under test.
- ``--mutant NAME`` runs the suite against the reference with one deliberate bug of
  ``tests/selftest/mutants.py`` applied: see the suite fail.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings

from strategies.plugin import profiles
from strategies.plugin.session import suite_run
from tests.selftest.mutants import BY_NAME as MUTANTS
from tests.selftest.mutants import Mutant, applied

pytest_plugins = ["strategies.plugin"]

ROOT = Path(__file__).resolve().parent
REFERENCE_ONLY = ("tests/reference", "tests/selftest")

profiles.register(ROOT / ".hypothesis")
settings.load_profile(profiles.default_name())


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--mutant",
        metavar="NAME",
        default=None,
        help="run against the reference with one of tests/selftest/mutants.py applied (a demonstration)",
    )


def is_reference(target: str) -> bool:
    """Whether ``--impl`` (a module name or a path) names this checkout's ``dezero``."""
    if os.sep in target or os.path.exists(target):
        path = Path(target).resolve()
        return path in (ROOT, ROOT / "dezero", ROOT / "dezero" / "__init__.py")
    spec = importlib.util.find_spec(target)
    return spec is not None and spec.origin is not None and Path(spec.origin).resolve() == ROOT / "dezero" / "__init__.py"


@pytest.hookimpl(trylast=True)  # after the plugin has loaded the implementation
def pytest_configure(config: pytest.Config) -> None:
    mutant = config.getoption("--mutant")
    if not mutant:
        return
    run = suite_run(config)
    if run is None or not is_reference(run.target):
        raise pytest.UsageError("--mutant breaks the reference on purpose: use it without --impl")
    if mutant not in MUTANTS:
        raise pytest.UsageError(f"no mutant named {mutant!r}; known: {', '.join(sorted(MUTANTS))}")
    config.add_cleanup(_apply(MUTANTS[mutant]))
    config.option.survey_in_process = True  # a child process would survey the reference without the bug


def _apply(mutant: Mutant) -> Callable[[], None]:
    """Enter ``applied(mutant)`` for the whole session; return its exit."""
    stack = contextlib.ExitStack()
    stack.enter_context(applied(mutant))
    return stack.close


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    run = suite_run(config)
    if run is None or is_reference(run.target):
        return None
    path = collection_path.resolve()
    relative = path.relative_to(ROOT).as_posix() if ROOT in path.parents else ""
    return True if any(relative.startswith(prefix) for prefix in REFERENCE_ONLY) else None
