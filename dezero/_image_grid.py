"""Showing a grid of images with matplotlib (an optional dependency, imported only
when a grid is shown). Internal: the datasets' ``show`` methods use it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from dezero._arrays import Array


def tile(images: Sequence[Array], row: int, col: int) -> Array:
    """One array holding ``images`` (all of one shape, (H, W) or (H, W, 3)) in
    ``row`` rows of ``col``, filled row by row."""
    if len(images) != row * col:
        raise ValueError(f"a grid of {row} x {col} needs {row * col} images, got {len(images)}")
    height, width = images[0].shape[:2]
    grid = np.zeros((height * row, width * col) + images[0].shape[2:])
    for k, image in enumerate(images):
        r, c = divmod(k, col)
        grid[r * height : (r + 1) * height, c * width : (c + 1) * width] = image
    return grid


def show_images(images: Sequence[Array], row: int, col: int, cmap: str | None = None) -> None:
    """Show ``images`` tiled in a ``row`` x ``col`` grid in one figure, without axes."""
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError(
            "showing images needs matplotlib, which is not installed: pip install matplotlib"
        ) from None
    plt.imshow(tile(images, row, col), cmap=cmap, interpolation="nearest")
    plt.axis("off")
    plt.show()
