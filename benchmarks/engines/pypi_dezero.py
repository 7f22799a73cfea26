"""The book's DeZero as released on PyPI (``dezero==0.0.13``).

It is imported under the same name as the reference, so it lives in its own
directory (``pip install --target``) that this adapter puts first on ``sys.path``;
each engine runs in its own process, so the two never meet. See
``docs/pypi-dezero.md`` for the install and the two import problems worked around
in :func:`import_pypi_dezero`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import ModuleType

import numpy as np

from benchmarks.engines.base import Engine
from benchmarks.engines.dezero_style import DezeroStyle

PATH_VARIABLE = "DEZERO_PYPI_PATH"


def pypi_dezero_dir() -> Path:
    """``$DEZERO_PYPI_PATH``, else ``<venv>/pypi-dezero`` beside this interpreter."""
    return Path(os.environ.get(PATH_VARIABLE) or Path(sys.prefix) / "pypi-dezero")


def import_pypi_dezero() -> ModuleType:
    target = pypi_dezero_dir()
    if not (target / "dezero" / "__init__.py").is_file():
        raise ModuleNotFoundError(
            f"PyPI dezero not found in {target} (see docs/pypi-dezero.md; "
            f"set {PATH_VARIABLE} to its --target directory)"
        )
    sys.path.insert(0, str(target))
    # dezero/transforms.py has ``def __init__(self, dtype=np.int)``, evaluated at
    # import; NumPy 1.24 removed the alias. Restore it as the builtin it always was.
    if "int" not in np.__dict__:
        np.int = int  # type: ignore[attr-defined]
    import dezero  # dezero/datasets.py imports matplotlib.pyplot: it must be installed

    if Path(dezero.__file__).resolve().parent != (target / "dezero").resolve():
        raise ImportError(f"expected PyPI dezero from {target}, imported {dezero.__file__}")
    return dezero


class PyPIDezero(DezeroStyle):
    name = "dezero-0.0.13"

    def __init__(self) -> None:
        dezero = import_pypi_dezero()
        import dezero.functions as F

        super().__init__(dezero, F)

    def version(self) -> str:
        from importlib.metadata import version

        try:
            return version("dezero")
        except Exception:  # noqa: BLE001  (metadata is optional)
            return "0.0.13 (no metadata)"


def make() -> Engine:
    return PyPIDezero()
