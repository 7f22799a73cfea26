"""DataLoader and SeqDataLoader."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from dezero import DataLoader, SeqDataLoader
from dezero.datasets import Dataset, Spiral
from strategies.implementation.protocols import Array
from tests.reference.rng_check import global_draws_like, global_generator_untouched


class Numbers(Dataset):
    """Item i is (i as a 2-vector, label 10 * i)."""

    def __init__(self, size: int) -> None:
        self.size = size
        super().__init__()

    def prepare(self) -> None:
        self.data = np.repeat(np.arange(self.size, dtype=np.float64)[:, None], 2, axis=1)
        self.label = np.arange(self.size) * 10


def epoch(loader: DataLoader) -> list[tuple[Array, Array]]:
    return list(loader)


def test_an_epoch_covers_every_item_once_with_a_smaller_last_batch() -> None:
    loader = DataLoader(Numbers(10), batch_size=4, rng=np.random.default_rng(0))
    batches = epoch(loader)
    assert [len(x) for x, _ in batches] == [4, 4, 2]
    x = np.concatenate([b[0] for b in batches])
    t = np.concatenate([b[1] for b in batches])
    assert sorted(x[:, 0].tolist()) == list(range(10))
    np.testing.assert_array_equal(t, x[:, 0] * 10)
    assert x.shape[1] == 2 and t.dtype.kind == "i"


def test_each_epoch_reshuffles_and_the_seed_fixes_the_order() -> None:
    def orders(seed: int) -> list[list[int]]:
        loader = DataLoader(Numbers(12), 12, rng=np.random.default_rng(seed))
        return [epoch(loader)[0][0][:, 0].astype(int).tolist() for _ in range(2)]

    with global_generator_untouched():
        first, again = orders(1), orders(1)
    assert first == again
    assert first[0] != first[1]


def test_shuffling_draws_the_book_s_permutations_from_the_global_generator() -> None:
    """One ``np.random.permutation(len(dataset))`` at construction and one when an
    epoch ends; the first epoch follows the first one."""
    with global_draws_like(lambda: np.random.permutation(7)):
        loader = DataLoader(Numbers(7), 3)
    with global_draws_like(lambda: np.random.permutation(7)):
        epoch(loader)
    np.random.seed(4)
    order = np.random.permutation(7)
    np.random.seed(4)
    loader = DataLoader(Numbers(7), 3)
    seen = np.concatenate([x[:, 0] for x, _ in epoch(loader)]).astype(int)
    np.testing.assert_array_equal(seen, order)
    with global_generator_untouched():
        epoch(DataLoader(Numbers(7), 3, shuffle=False))


def test_without_shuffling_batches_follow_the_index_order() -> None:
    loader = DataLoader(Numbers(5), 2, shuffle=False)
    assert [x[:, 0].tolist() for x, _ in loader] == [[0, 1], [2, 3], [4]]
    assert loader.next()[0][:, 0].tolist() == [0, 1]  # the book's next()


def test_works_with_a_real_dataset() -> None:
    x, t = next(iter(DataLoader(Spiral(), 30, rng=np.random.default_rng(2))))
    assert x.shape == (30, 2) and x.dtype == np.float32 and t.shape == (30,)


def test_seq_data_loader_walks_parallel_stretches_in_order() -> None:
    loader = SeqDataLoader(Numbers(10), batch_size=3)  # jump = 10 // 3 = 3
    batches = [x[:, 0].astype(int).tolist() for x, _ in loader]
    assert len(batches) == 4  # ceil(10 / 3)
    assert batches == [[0, 3, 6], [1, 4, 7], [2, 5, 8], [3, 6, 9]]
    assert [x[:, 0].astype(int).tolist() for x, _ in loader] == batches  # reset after the epoch


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: DataLoader(Numbers(3), 0), ValueError, "batch_size"),
        (lambda: DataLoader(Numbers(3), 1.5), TypeError, "batch_size"),  # type: ignore[arg-type]
        (lambda: DataLoader(Numbers(3), 1, rng=3), TypeError, "Generator"),  # type: ignore[arg-type]
        (lambda: SeqDataLoader(Numbers(3), 4), ValueError, "exceeds"),
    ],
)
def test_bad_arguments_raise_clear_errors(call: object, error: type[Exception], match: str) -> None:
    assert callable(call)
    with pytest.raises(error, match=match):
        call()


_PIL_AVAILABLE = """
import sys
if sys.argv[1] == "blocked":
    sys.modules["PIL"] = None  # as if Pillow were not installed
import dezero.dataloaders
print(dezero.dataloaders.pil_available, "PIL.Image" in sys.modules)
"""


@pytest.mark.parametrize(("pillow", "expected"), [("installed", "True False"), ("blocked", "False False")])
def test_pil_available_says_whether_pillow_is_installed_without_importing_it(pillow: str, expected: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _PIL_AVAILABLE, pillow], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.split() == expected.split()
