"""Suite configuration: the implementation under test and the Hypothesis profiles.

Implementation: ``pytest --impl NAME_OR_PATH`` or the ``DEZERO_IMPL`` environment
variable (the option wins): a module name, a directory holding a DeZero-style
package, a package directory, or a single ``.py`` file. Default: ``dezero``, this
project's reference. Tests reach it through the ``impl`` fixture only.

Hypothesis profiles:

- ``dev`` (the default locally): few examples, fast feedback, random each run.
- ``ci`` (selected when the environment has ``CI`` set, as Hypothesis itself does):
  Hypothesis's own ``ci`` profile (derandomized, no deadline, no database), extended
  with enough examples to find the motif bugs.
- ``nightly``: many more examples, example database on.

Choose one with ``--hypothesis-profile NAME`` or the ``HYPOTHESIS_PROFILE`` variable.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from strategies.capabilities import LEVELS, capabilities
from strategies.implementation import Implementation

settings.register_profile("dev", max_examples=25, deadline=None)
settings.register_profile(
    "ci",
    parent=settings.get_profile("ci"),
    max_examples=100,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("nightly", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))

ROOT = Path(__file__).resolve().parent
REFERENCE_ONLY = ("tests/reference", "tests/selftest")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--impl",
        default=None,
        help="the DeZero-style implementation under test: a module name or a path "
        "(default: $DEZERO_IMPL, else the reference 'dezero')",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "requires(*levels): the capability levels a property needs; "
        "without them it is reported as not applicable"
    )
    target = config.getoption("--impl") or os.environ.get("DEZERO_IMPL") or "dezero"
    impl = Implementation.load(target)
    config.stash[_IMPL] = impl
    config.stash[_IS_REFERENCE] = _is_reference(impl)


_IMPL = pytest.StashKey[Implementation]()
_IS_REFERENCE = pytest.StashKey[bool]()


def _is_reference(impl: Implementation) -> bool:
    origin = getattr(impl.package, "__file__", None) or ""
    return Path(origin).resolve() == ROOT / "dezero" / "__init__.py"


def pytest_report_header(config: pytest.Config) -> list[str]:
    impl = config.stash[_IMPL]
    caps = capabilities(impl)
    levels = ", ".join(name for name, _, _ in LEVELS if name in caps.levels) or "none"
    return [
        f"implementation under test: {impl.name} ({impl.origin})",
        f"capability levels: {levels}; ops in the catalogue: {len(caps.ops)}",
    ]


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Tests of the reference itself (and of the suite's power against mutants of
    it) only run when the reference is the implementation under test."""
    if config.stash[_IS_REFERENCE]:
        return None
    relative = collection_path.resolve().relative_to(ROOT).as_posix() if ROOT in collection_path.resolve().parents else ""
    return True if any(relative.startswith(prefix) for prefix in REFERENCE_ONLY) else None


@pytest.fixture(scope="session")
def impl(request: pytest.FixtureRequest) -> Implementation:
    """The implementation under test."""
    return request.config.stash[_IMPL]


def pytest_runtest_setup(item: pytest.Item) -> None:
    required = tuple(level for marker in item.iter_markers("requires") for level in marker.args)
    missing = capabilities(item.config.stash[_IMPL]).missing(required)
    if missing:
        pytest.skip(f"not applicable: the implementation lacks {', '.join(missing)}")


@pytest.fixture(autouse=True)
def _config_is_restored(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test that leaves the implementation's grad mode or train mode changed."""
    impl = request.config.stash[_IMPL]
    before = impl.config_state()
    yield
    after = impl.config_state()
    if after != before:
        pytest.fail(f"the test left Config changed: (enable_backprop, train) {before} -> {after}")
