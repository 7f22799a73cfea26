"""Where the suite's properties are: the one place that knows their two names.

Where the checker is installed they are the package ``dezero_check`` (the top-level
``pyproject.toml`` maps the repository's ``tests/`` to that name); in a clone that
is not installed, the repository's ``tests`` package. A property is named by its
module within that package (``properties.test_gradients``), so that a script
written in one place replays in the other.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

__all__ = ["INSTALLED", "IN_REPOSITORY", "importable", "suite_directory"]

INSTALLED = "dezero_check"
IN_REPOSITORY = "tests"


def suite_directory() -> Path:
    """The folder of the installed properties' package, or of this repository's
    ``tests`` when the checker is not installed."""
    spec = importlib.util.find_spec(INSTALLED)
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations))).resolve()
    return Path(__file__).resolve().parents[1] / IN_REPOSITORY


def importable(module: str) -> str:
    """The name under which this process imports the property module ``module``
    (given under either name)."""
    for prefix in (INSTALLED + ".", IN_REPOSITORY + "."):
        if module.startswith(prefix):
            here = INSTALLED if importlib.util.find_spec(INSTALLED) is not None else IN_REPOSITORY
            return f"{here}.{module.removeprefix(prefix)}"
    return module
