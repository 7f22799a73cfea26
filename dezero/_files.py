"""Writing a file so that it appears complete or not at all.

:func:`atomic_write` is the one way the package writes a file other programs (or
its next run) will read: weight files (:meth:`dezero.layers.Layer.save_weights`),
cached datasets (:func:`dezero.datasets.save_cache_npz`) and downloads
(:func:`dezero.utils.get_file`). The bytes go to a fresh temporary file in the
target's folder, renamed over the target when the ``with`` block ends normally and
removed when it raises (an interrupt included), so a killed write never leaves a
truncated file under the real name.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

__all__ = ["atomic_write"]


@contextmanager
def atomic_write(path: str, suffix: str = "") -> Iterator[BinaryIO]:
    """A binary file to write ``path``'s content into; ``path`` gets it when the
    block ends without an exception. ``suffix`` ends the temporary file's name
    (``.npz``, ``.part``), so a file left by a killed process says what it is."""
    fd, temporary = tempfile.mkstemp(suffix=suffix, dir=os.path.dirname(os.path.abspath(path)))
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise
