"""The implementation under test: loaded once per process, probed, and handed to the
tests through the ``impl`` fixture."""

from __future__ import annotations

import pytest

from strategies.capabilities import LEVEL_NAMES, capabilities
from strategies.implementation import Implementation
from strategies.ops import BY_NAME as OPS_BY_NAME
from strategies.plugin.options import is_active, target

IMPL = pytest.StashKey[Implementation]()


def pytest_configure(config: pytest.Config) -> None:
    if not is_active(config):
        return
    impl = Implementation.load(target(config))
    excluded = frozenset(name.strip() for name in config.getoption("exclude_ops").split(",") if name.strip())
    unknown = excluded - set(OPS_BY_NAME)
    if unknown:
        raise pytest.UsageError(f"--exclude-ops: no catalogue ops named {sorted(unknown)}")
    impl.excluded_ops = excluded
    config.stash[IMPL] = impl


def implementation(config: pytest.Config) -> Implementation | None:
    """The implementation under test of this run (None when the plugin is inactive)."""
    return config.stash.get(IMPL, None)


def header(impl: Implementation) -> dict[str, str]:
    """What the report and the terminal say about the implementation."""
    caps = capabilities(impl)
    return {
        "implementation": f"{impl.name} ({impl.origin})",
        "capability levels": ", ".join(name for name in LEVEL_NAMES if name in caps.levels) or "none",
        "ops in the catalogue": str(len(caps.ops)),
        **{f"note {i + 1}": note for i, note in enumerate(caps.notes)},
    }


def pytest_report_header(config: pytest.Config) -> list[str]:
    impl = implementation(config)
    if impl is None:
        return []
    return [f"{key}: {value}" for key, value in header(impl).items()]


@pytest.fixture(scope="session")
def impl(request: pytest.FixtureRequest) -> Implementation:
    """The implementation under test."""
    found = implementation(request.config)
    if found is None:
        raise pytest.UsageError("the impl fixture needs a suite run: give --impl (or set dezero_suite = true)")
    return found
