"""``Config.book_random``: the book's re-seeding of NumPy's global generator, on request.

By default ``get_spiral`` and ``Spiral`` draw the book's points from a private
generator and never touch the global one (docs/semantics.md #21). With the switch on
(``using_config("book_random", True)``, ``Config.book_random = True``, or
``DEZERO_BOOK_RANDOM=1`` in the environment when dezero is imported) they do what
the book does: seed the global generator with 1984 (training) or 2020 (test), then
draw the same numbers from it, leaving it where the book leaves it. The expected
data here are computed from those facts alone: the seed, then one standard normal
number per point (arm by arm, 100 points each) for its angle noise, then one
permutation of the 300 points.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import dezero.functions as F
from dezero import Config, optimizers, using_config
from dezero.datasets import Spiral, get_spiral
from dezero.models import MLP

from .rng_check import global_generator_untouched

ROOT = Path(__file__).resolve().parents[2]
SEEDS = {True: 1984, False: 2020}


@pytest.fixture(autouse=True)
def _switch_off_and_generator_restored() -> Iterator[None]:
    """Tests here turn the switch on and re-seed the global generator: put both back."""
    state = np.random.get_state()
    yield
    Config.book_random = False
    np.random.set_state(state)


def _spiral_from_first_principles(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The spiral drawn from the global generator seeded with ``seed``: point ``i``
    of arm ``j`` at radius i / 100 and angle 4 j + 4 i / 100 + 0.2 z, one z per point
    drawn in turn; then the 300 points shuffled by one permutation."""
    np.random.seed(seed)
    x = np.empty((300, 2), dtype=np.float32)
    t = np.empty(300, dtype=np.int64)
    for arm in range(3):
        for i in range(100):
            radius = i / 100
            angle = 4.0 * arm + 4.0 * radius + 0.2 * np.random.randn()
            x[100 * arm + i] = [radius * math.sin(angle), radius * math.cos(angle)]
            t[100 * arm + i] = arm
    order = np.random.permutation(300)
    return x[order], t[order]


def _same_generator_state(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return bool(a["state"]["pos"] == b["state"]["pos"] and np.array_equal(a["state"]["key"], b["state"]["key"])
                and (a["has_gauss"], a["gauss"]) == (b["has_gauss"], b["gauss"]))


@pytest.mark.parametrize("train", [True, False])
def test_by_default_the_spiral_never_touches_the_global_generator(train: bool) -> None:
    np.random.seed(7)
    with global_generator_untouched():
        x, t = get_spiral(train)
        Spiral(train=train)
    book_x, book_t = _spiral_from_first_principles(SEEDS[train])
    np.testing.assert_array_equal(x, book_x)  # the book's points all the same
    np.testing.assert_array_equal(t, book_t)


def test_the_switch_is_off_unless_the_environment_turns_it_on() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DEZERO_BOOK_RANDOM"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    code = ("import numpy as np, dezero\n"
            "from dezero.datasets import get_spiral\n"
            "np.random.seed(7); before = np.random.rand(); np.random.seed(7)\n"
            "get_spiral()\n"
            "print(dezero.Config.book_random, np.random.rand() == before)\n")
    for value, expected in [(None, "False True"), ("0", "False True"), ("off", "False True"), ("1", "True False"),
                            ("yes", "True False")]:
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                             env=env if value is None else {**env, "DEZERO_BOOK_RANDOM": value})
        assert run.stdout.strip() == expected, (value, run.stdout, run.stderr[-1000:])
    bad = subprocess.run([sys.executable, "-c", "import dezero"], capture_output=True, text=True, timeout=120,
                         env={**env, "DEZERO_BOOK_RANDOM": "maybe"})
    assert bad.returncode != 0
    assert "ValueError: the environment variable DEZERO_BOOK_RANDOM='maybe' must be one of" in bad.stderr


@pytest.mark.parametrize("train", [True, False])
def test_with_the_switch_the_spiral_re_seeds_as_the_book_does(train: bool) -> None:
    """The same data, and the global generator left exactly where the book's leaves
    it, whatever state it was in before."""
    np.random.seed(123)
    with using_config("book_random", True):
        x, t = get_spiral(train)
    after = np.random.get_state(legacy=False)
    book_x, book_t = _spiral_from_first_principles(SEEDS[train])
    assert _same_generator_state(after, np.random.get_state(legacy=False))
    np.testing.assert_array_equal(x, book_x)
    np.testing.assert_array_equal(t, book_t)
    assert Config.book_random is False  # using_config put it back


@pytest.mark.parametrize("train", [True, False])
def test_spiral_re_seeds_when_config_book_random_is_assigned(train: bool) -> None:
    np.random.seed(5)
    Config.book_random = True
    dataset = Spiral(train=train)
    after = np.random.get_state(legacy=False)
    book_x, book_t = _spiral_from_first_principles(SEEDS[train])
    assert _same_generator_state(after, np.random.get_state(legacy=False))
    assert dataset.data is not None and dataset.label is not None
    np.testing.assert_array_equal(dataset.data, book_x)
    np.testing.assert_array_equal(dataset.label, book_t)


def test_the_switch_takes_only_bools() -> None:
    with pytest.raises(TypeError, match="Config.book_random must be a bool, got int"):
        Config.book_random = 1  # type: ignore[assignment]  # deliberately wrong
    with pytest.raises(TypeError, match="Config.book_random must be a bool, got str"):
        with using_config("book_random", "yes"):  # type: ignore[arg-type]  # deliberately wrong
            pass


def test_step48_with_the_switch_prints_the_book_s_losses() -> None:
    """The book's step 48 does not seed: it trains MLP((10, 3)) by SGD(1.0) on
    get_spiral(), 300 epochs of mini-batches of 30 in an order np.random.permutation
    draws each epoch, printing the mean loss to 2 digits. On the book's DeZero it
    prints "epoch 1, loss 1.13", "epoch 2, loss 1.05", "epoch 100, loss 0.43",
    "epoch 200, loss 0.18", "epoch 300, loss 0.13"; with the switch on, so does this."""
    np.random.seed(99)  # whatever came before: get_spiral re-seeds
    with using_config("book_random", True):
        x, t = get_spiral(train=True)
        model = MLP((10, 3))
        optimizer = optimizers.SGD(1.0).setup(model)
        printed: dict[int, str] = {}
        for epoch in range(1, 301):
            index = np.random.permutation(len(x))
            total = 0.0
            for start in range(0, len(x), 30):
                batch = index[start:start + 30]
                loss = F.softmax_cross_entropy(model(x[batch]), t[batch])
                model.cleargrads()
                loss.backward()
                optimizer.update()
                total += float(loss.array) * len(batch)
            printed[epoch] = f"epoch {epoch}, loss {total / len(x):.2f}"
    assert [printed[e] for e in (1, 2, 100, 200, 300)] == [
        "epoch 1, loss 1.13", "epoch 2, loss 1.05", "epoch 100, loss 0.43", "epoch 200, loss 0.18",
        "epoch 300, loss 0.13"]
