"""Which tests run: a property needing a capability the implementation lacks is
*not applicable*; the skips and xfails files skip tests or expect them to fail."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from strategies.plugin.session import implementation
from strategies.survey.capabilities import capabilities

__all__ = [
    "NOT_APPLICABLE", "pytest_collection_modifyitems", "pytest_configure", "pytest_runtest_setup", "read_ids",
    "required_levels",
]

NOT_APPLICABLE = "not applicable"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "requires(*needs, why=''): the capability levels (or names, as 'F.sin' or 'Layer.save_weights') a "
        "property needs; without them it is reported as not applicable, with why it needs them",
    )


def required_levels(item: pytest.Item) -> tuple[str, ...]:
    """The levels an item's ``requires`` markers name."""
    return tuple(level for marker in item.iter_markers("requires") for level in marker.args)


def pytest_runtest_setup(item: pytest.Item) -> None:
    impl = implementation(item.config)
    required = required_levels(item)
    if impl is None or not required:
        return
    missing = capabilities(impl).missing(required, impl)
    if missing:
        why = "; ".join(str(m.kwargs["why"]) for m in item.iter_markers("requires") if m.kwargs.get("why"))
        pytest.skip(f"{NOT_APPLICABLE}: the implementation lacks {', '.join(missing)}" + (f" ({why})" if why else ""))


def read_ids(path: str) -> dict[str, str]:
    """``id  # reason`` lines; an id matches a test id or a prefix of one."""
    ids: dict[str, str] = {}
    for line in Path(path).read_text().splitlines():
        test_id, _, reason = line.partition("#")
        if test_id.strip():
            ids[test_id.strip()] = reason.strip()
    return ids


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for option, mark in (("skips", pytest.mark.skip), ("xfails", pytest.mark.xfail)):
        path = config.getoption(option)
        if not path:
            continue
        ids = read_ids(path)
        matched: set[str] = set()
        for item in items:
            for test_id, reason in ids.items():
                if item.nodeid == test_id or item.nodeid.startswith(test_id):
                    item.add_marker(mark(reason=f"{option} file: {reason or test_id}"))
                    matched.add(test_id)
        for test_id in sorted(set(ids) - matched):
            warnings.warn(f"--{option} {path}: {test_id!r} matches no test", pytest.PytestWarning, stacklevel=1)
