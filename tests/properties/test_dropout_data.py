"""Oracle: dropout, datasets and loaders, and NumPy's global generator.

Dropout (``F.dropout(x, ratio)``):

- In test mode (``Config.train`` False) it is the identity: the value is ``x`` and
  the gradient is the upstream gradient, exactly.
- In train mode every element of the output is 0 (dropped) or ``x / (1 - ratio)``
  (kept), and backward applies the forward's own mask and scale: the gradient is
  ``g / (1 - ratio)`` where the forward kept the element and 0 where it dropped it
  (the mask is read from the forward's output: ``x`` has no zero element). Any way
  of drawing the mask passes; a backward that draws a mask of its own, or forgets
  the scale, fails.
- The mean is preserved: ``E[y_i] = x_i``. The check draws from a fixed seed and
  allows the deviation that Hoeffding's inequality bounds (:func:`mean_bound`), with
  a false-alarm probability of at most :data:`FALSE_ALARM` per example for any
  implementation whose mask keeps each element independently with probability
  ``1 - ratio``. A mask kept with probability ``ratio`` instead, or a missing scale,
  moves the mean by far more.

Datasets and loaders:

- A dataset made without a download (``get_spiral``, ``Spiral``, ``SinCurve``) must
  never re-seed NumPy's global generator: made from two different states of it, it
  must not leave it in one same state (the book's ``get_spiral`` calls
  ``np.random.seed``, so after it every program's "random" numbers repeat whatever
  the user seeded). What it draws from the generator is its own business.
- Loaders draw from the global generator exactly what the book's do (so that a
  program seeding ``np.random`` repeats the book's run): a shuffling ``DataLoader``
  one ``np.random.permutation(len(dataset))`` at construction and one at the start
  of each new epoch, and batches in that order; a ``DataLoader`` without shuffling
  and a ``SeqDataLoader`` draw nothing.

Every property sets the global generator through ``impl.seeded`` (which restores it
afterwards), never with ``np.random.seed``.
"""

from __future__ import annotations

import math
from typing import Any, cast

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as npst

from strategies.implementation.handle import Implementation
from strategies.implementation.namespace import Functions
from strategies.implementation.probes import probes_for
from strategies.implementation.protocols import Array, grad_array
from strategies.survey.backprop import backward, cotangents

from ..helpers.gates import offered_name
from ..helpers.loaders import Items, one_epoch

# The fixed seed of the statistical check, and its false-alarm probability per example.
SEED = 20240612
FALSE_ALARM = 1e-9
SAMPLE = 1 << 14  # elements per statistical check

DATASETS = ("get_spiral", "Spiral", "SinCurve")  # the book's datasets that need no download
SEEDS = st.integers(0, 2**32 - 1)


def _nonzero(shape: tuple[int, ...], dtype: str) -> st.SearchStrategy[Array]:
    """Arrays of nonzero multiples of 1/4 in [-2, 2]: a dropped element shows as a 0."""
    ints = st.integers(-8, 7).map(lambda k: k if k < 0 else k + 1)
    return npst.arrays(np.float64, shape, elements=ints.map(lambda k: k / 4)).map(lambda a: a.astype(dtype))


def _dropout(impl: Implementation) -> Any:
    return Functions(impl).dropout


RATIOS = st.integers(0, 18).map(lambda k: k / 20)  # 0, 0.05, ..., 0.9


# --------------------------------------------------------------------- dropout


def _dropout_case(data: st.DataObject, max_side: int) -> tuple[Array, float, Array]:
    """An input with no zero element (so a dropped element shows as 0), a ratio and
    a cotangent, in a drawn dtype."""
    dtype = data.draw(st.sampled_from(["float64", "float32"]), label="dtype")
    x = data.draw(_nonzero(data.draw(npst.array_shapes(max_dims=3, max_side=max_side), label="shape"), dtype),
                  label="x")
    ratio = data.draw(RATIOS, label="dropout_ratio")
    w = data.draw(cotangents(x.shape), label="cotangent").astype(dtype)
    return x, ratio, w


@pytest.mark.requires("F.dropout", "memory", why="test mode is set with using_config('train', False)")
@given(data=st.data())
def test_dropout_in_test_mode_is_the_identity(impl: Implementation, data: st.DataObject) -> None:
    dropout = _dropout(impl)
    x, ratio, w = _dropout_case(data, max_side=4)
    v = impl.variable(x.copy())
    with impl.using_config("train", False):
        y = dropout(v, ratio)
    got = np.asarray(y.data)
    assert got.shape == x.shape and np.array_equal(got, x), (
        f"[dropout test mode] in test mode dropout(x, {ratio}) must return x; got\n{got}\nfor x =\n{x}"
    )
    # Through P.double, so that the output has a creator even when dropout returned x
    # itself (the gradient is then 2 w, exactly).
    backward(impl, probes_for(impl).double(y), w)
    grad = grad_array(v.grad)
    assert grad is not None and grad.shape == x.shape and np.array_equal(grad, w + w), (
        f"[dropout test mode] in test mode the gradient of dropout(x, {ratio}) must be the upstream gradient; "
        f"got\n{grad}\nfor upstream\n{w + w}"
    )


def _scaled(x: Array, ratio: float) -> Array:
    """``x / (1 - ratio)`` in float64."""
    return np.asarray(x, dtype=np.float64) / (1.0 - ratio)


def _close(got: Array, expected: Array, dtype: str) -> Array:
    """Elementwise: ``got`` is ``expected`` to a few roundings of ``dtype``."""
    return np.asarray(np.abs(got.astype(np.float64) - expected) <= 8 * np.finfo(dtype).eps * np.abs(expected))


@pytest.mark.requires("F.dropout", "core")
@given(data=st.data())
def test_dropout_backward_uses_the_forward_mask_and_scale(impl: Implementation, data: st.DataObject) -> None:
    dropout = _dropout(impl)
    x, ratio, w = _dropout_case(data, max_side=5)
    dtype = str(x.dtype)
    v = impl.variable(x.copy())
    with impl.seeded(data.draw(SEEDS, label="seed")):  # masks drawn from NumPy's generator repeat
        y = dropout(v, ratio)
        got = np.asarray(y.data)
        kept = got != 0
        assert got.shape == x.shape and np.all(_close(got, _scaled(x, ratio), dtype) | ~kept), (
            f"[dropout mask and scale] dropout(x, {ratio}) in train mode: each element must be 0 or "
            f"x / (1 - {ratio}); got\n{got}\nfor x =\n{x}"
        )
        backward(impl, y, w)
    grad = grad_array(v.grad)
    assert grad is not None and grad.shape == x.shape, (
        f"[dropout mask and scale] dropout's gradient is {None if grad is None else grad.shape}, "
        f"expected shape {x.shape}"
    )
    expected = np.where(kept, _scaled(w, ratio), 0.0)
    wrong = ~np.where(kept, _close(grad, expected, dtype), grad == 0)
    assert not np.any(wrong), (
        f"[dropout mask and scale] dropout(x, {ratio}): the gradient must be upstream / (1 - {ratio}) where the "
        f"forward kept the element and 0 where it dropped it (the forward's own mask and scale); "
        f"{int(wrong.sum())} of {wrong.size} elements are not.\nforward output\n{got}\ngradient\n{grad}\n"
        f"expected\n{expected}\n(upstream\n{w})"
    )


def mean_bound(x: Array, ratio: float, false_alarm: float = FALSE_ALARM) -> float:
    """The allowed ``|mean(y) - mean(x)|``.

    Each ``y_i`` is independent and lies in an interval of width
    ``r_i = |x_i| / (1 - ratio)`` (0 or ``x_i / (1 - ratio)``), with mean ``x_i``. By
    Hoeffding's inequality ``P(|sum y - sum x| >= s) <= 2 exp(-2 s^2 / sum r_i^2)``;
    setting the right side to ``false_alarm`` gives
    ``s = sqrt(ln(2 / false_alarm) * sum r_i^2 / 2)``, and the bound on the mean is
    ``s / n``. (For ``x`` of ones, ``n = 2**14`` and a ratio of 0.5 that is 0.052.)
    """
    widths = np.abs(x) / (1.0 - ratio)
    return float(math.sqrt(math.log(2 / false_alarm) * float(np.sum(widths**2)) / 2) / x.size)


@pytest.mark.requires("F.dropout")
@given(data=st.data())
def test_dropout_preserves_the_mean(impl: Implementation, data: st.DataObject) -> None:
    """``mean(dropout(x))`` is ``mean(x)`` within :func:`mean_bound`, for ``x`` of
    :data:`SAMPLE` positive elements (a drawn pattern, repeated) and the fixed seed
    :data:`SEED`. Over a nightly run of 1,000 examples the false-alarm probability
    is at most 1e-6."""
    dropout = _dropout(impl)
    pattern = data.draw(st.lists(st.integers(1, 8).map(lambda k: k / 4), min_size=1, max_size=8), label="pattern")
    ratio = data.draw(RATIOS, label="dropout_ratio")
    x = np.resize(np.array(pattern), SAMPLE)
    with impl.seeded(SEED):
        y = np.asarray(dropout(impl.variable(x), ratio).data, dtype=np.float64)
    deviation, allowed = abs(float(y.mean()) - float(x.mean())), mean_bound(x, ratio)
    assert deviation <= allowed, (
        f"[dropout mean] dropout(x, {ratio}) over {x.size} elements of mean {x.mean():.6g}: the output's mean is "
        f"{y.mean():.6g}, off by {deviation:.3g}; a correct dropout strays further than {allowed:.3g} with "
        f"probability at most {FALSE_ALARM:g} (Hoeffding). {np.count_nonzero(y)} of {y.size} elements were kept "
        f"(expected about {(1 - ratio) * y.size:.0f})"
    )


# --------------------------------------------------------------------- datasets and loaders


def state_of(generator: Any = np.random) -> tuple[object, ...]:
    """The state of NumPy's global generator (or of a ``RandomState``), comparable
    with ``==``."""
    name, key, pos, has_gauss, gauss = cast("tuple[Any, ...]", generator.get_state(legacy=True))
    return str(name), np.asarray(key).tobytes(), int(pos), int(has_gauss), float(gauss)


DATA_STAGE = "datasets and loaders come with the book's final package (steps 49-60)"


@pytest.mark.requires("layers", why=DATA_STAGE)
@pytest.mark.judges_reseeding
@pytest.mark.parametrize("name", DATASETS)
@given(data=st.data())
def test_datasets_never_reseed_the_global_generator(impl: Implementation, data: st.DataObject, name: str) -> None:
    make = offered_name(impl, "datasets", name)
    train = data.draw(st.booleans(), label="train")
    seeds = data.draw(st.lists(SEEDS, min_size=2, max_size=2, unique=True), label="states before (as seeds)")
    after = []
    for seed in seeds:
        with impl.seeded(seed):
            make(train=train)
            after.append(state_of())
    assert after[0] != after[1], (
        f"[datasets leave the global generator alone] {name}(train={train}), made once after np.random.seed"
        f"({seeds[0]}) and once after np.random.seed({seeds[1]}), left NumPy's global generator in the same state "
        f"both times: it re-seeds it, so every random number the program draws after it repeats from run to run "
        f"whatever the user seeded (a dataset should draw from a generator of its own)"
    )


LOADERS = ("DataLoader", "SeqDataLoader")


def book_draws(n: int, shuffle: bool, epochs: int, seed: int) -> tuple[list[Array], tuple[object, ...]]:
    """The orders of the book's loader over ``epochs`` epochs, and the global
    generator's state afterwards, for a run started from ``seed``."""
    replica = np.random.RandomState(seed)
    if not shuffle:
        return [np.arange(n)] * epochs, state_of(replica)
    orders = [replica.permutation(n) for _ in range(epochs + 1)]  # at construction, then after each epoch
    return orders[:epochs], state_of(replica)


@pytest.mark.requires("layers", why=DATA_STAGE)
@pytest.mark.parametrize("kind", LOADERS)
@given(data=st.data())
def test_loaders_draw_from_the_global_generator_as_the_book_does(impl: Implementation, data: st.DataObject,
                                                                 kind: str) -> None:
    loader_class = offered_name(impl, "dataloaders", kind)
    n = data.draw(st.integers(1, 10), label="dataset length")
    batch_size = data.draw(st.integers(1, n if kind == "SeqDataLoader" else n + 2), label="batch_size")
    shuffle = kind == "DataLoader" and data.draw(st.booleans(), label="shuffle")
    epochs = data.draw(st.integers(1, 3), label="epochs")
    seed = data.draw(SEEDS, label="global seed")
    items = Items(n)
    count = math.ceil(n / batch_size)
    with impl.seeded(seed):
        if kind == "DataLoader":
            loader = loader_class(items, batch_size, shuffle=shuffle)
        else:
            loader = loader_class(items, batch_size)
        passes = [one_epoch(loader, count) for _ in range(epochs)]
        state = state_of()
    orders, book_state = book_draws(n, shuffle, epochs, seed)
    what = f"{kind}({n} items, batch_size={batch_size}" + (f", shuffle={shuffle})" if kind == "DataLoader" else ")")
    if kind == "DataLoader":
        for e, (batches, order) in enumerate(zip(passes, orders)):
            labels = [t.tolist() for _, t in batches]
            want = [items.batch([int(i) for i in order[k * batch_size:(k + 1) * batch_size]]) for k in range(count)]
            assert labels == [t.tolist() for _, t in want] and all(
                np.array_equal(x, wx) for (x, _), (wx, _) in zip(batches, want)), (
                f"[loader draws] {what}, epoch {e} from np.random.seed({seed}): batches of labels {labels}; the "
                f"book's are {[t.tolist() for _, t in want]}"
                + (" (in the order of np.random.permutation(len(dataset)), drawn at construction and at the start "
                   "of each new epoch)" if shuffle else " (in index order)")
            )
    assert state == book_state, (
        f"[loader draws] {what} over {epochs} epoch(s) left NumPy's global generator in another state than the "
        f"book's loader does: "
        + (f"the book draws np.random.permutation({n}) at construction and at the start of each new epoch, "
           f"{epochs + 1} in all" if shuffle else "the book's draws nothing from it")
    )
