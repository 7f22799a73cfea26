"""The reference (``dezero/`` of this repository), imported from this work tree; and,
to measure a change side by side with the code before it, the reference of another
checkout (``reference-before``: the directory in ``$DEZERO_BEFORE``, for instance a
``git worktree add /tmp/before <commit>``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from benchmarks.engines.base import Engine
from benchmarks.engines.dezero_style import DezeroStyle

REPO_ROOT = Path(__file__).resolve().parents[2]
BEFORE_VARIABLE = "DEZERO_BEFORE"


class Reference(DezeroStyle):
    name = "reference"

    def __init__(self, root: Path = REPO_ROOT) -> None:
        # The checkout first, so this ``dezero`` wins over any other on the path.
        sys.path.insert(0, str(root))
        import dezero
        import dezero.functions as F

        if Path(dezero.__file__).resolve().parent != (root / "dezero").resolve():
            raise ImportError(f"expected the dezero of {root}, imported {dezero.__file__}")
        self.root = root
        super().__init__(dezero, F)

    def version(self) -> str:
        where = "this work tree" if self.root == REPO_ROOT else f"{self.root} at {_commit(self.root)}"
        return f"{self._dezero.__version__} ({where})"


def _commit(root: Path) -> str:
    done = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True, check=False)  # fmt: skip
    return done.stdout.strip() or "unknown commit"


def make() -> Engine:
    return Reference()


def make_before() -> Engine:
    root = os.environ.get(BEFORE_VARIABLE)
    if not root:
        raise ModuleNotFoundError(f"set {BEFORE_VARIABLE} to the root of the checkout to compare with")
    engine = Reference(Path(root).resolve())
    engine.name = "reference-before"
    return engine
