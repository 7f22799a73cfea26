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
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from benchmarks.engines.base import Array, ArrayBuild, Engine, Ops, ScalarBuild

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


class PyPIDezero(Engine):
    name = "dezero-0.0.13"

    def __init__(self) -> None:
        self._dezero = import_pypi_dezero()
        import dezero.functions as F

        self._Variable = self._dezero.Variable
        self.ops = Ops(sin=F.sin, tanh=F.tanh, matmul=F.matmul, total=F.sum)

    def version(self) -> str:
        from importlib.metadata import version

        try:
            return version("dezero")
        except Exception:  # noqa: BLE001  (metadata is optional)
            return "0.0.13 (no metadata)"

    def module_file(self) -> str:
        return str(self._dezero.__file__)

    def grad_scalar(self, build: ScalarBuild, values: Sequence[float]) -> tuple[float, list[float]]:
        leaves = [self._Variable(np.array(v, dtype=np.float64)) for v in values]
        y = build(self.ops, leaves)
        y.backward()
        return float(y.data), [_grad_value(leaf) for leaf in leaves]

    def grad_array(
        self, build: ArrayBuild, x: Array, weights: Sequence[Array]
    ) -> tuple[float, list[Array]]:
        leaves = [self._Variable(w) for w in weights]
        y = build(self.ops, self.ops.const(x), leaves)
        y.backward()
        return float(y.data), [_grad_array(leaf) for leaf in leaves]


def _grad_value(leaf: Any) -> float:
    return 0.0 if leaf.grad is None else float(leaf.grad.data)


def _grad_array(leaf: Any) -> Array:
    grad: Array = leaf.grad.data
    return grad


def make() -> Engine:
    return PyPIDezero()
