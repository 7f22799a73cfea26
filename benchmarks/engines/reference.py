"""The reference (``dezero/`` of this repository), imported from this work tree."""

from __future__ import annotations

import sys
from pathlib import Path

from benchmarks.engines.base import Engine
from benchmarks.engines.dezero_style import DezeroStyle

REPO_ROOT = Path(__file__).resolve().parents[2]


class Reference(DezeroStyle):
    name = "reference"

    def __init__(self) -> None:
        # The work tree first, so this ``dezero`` wins over any other on the path.
        sys.path.insert(0, str(REPO_ROOT))
        import dezero
        import dezero.functions as F

        super().__init__(dezero, F)

    def version(self) -> str:
        return f"{self._dezero.__version__} (this work tree)"


def make() -> Engine:
    return Reference()
