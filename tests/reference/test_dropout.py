"""dropout: masks from NumPy's global generator as in the book (or from an rng
keyword), the identity in test mode."""

from __future__ import annotations

import numpy as np
import pytest

import dezero.functions as F
from dezero import Variable, test_mode
from dezero.utils import gradient_check
from tests.reference.rng_check import global_draws_like, global_generator_untouched


def test_the_mask_is_the_book_s_for_a_seeded_global_generator() -> None:
    """Worked out from NumPy: after ``np.random.seed(0)``, ``np.random.rand(5)`` is
    0.549, 0.715, 0.603, 0.545, 0.424, so a ratio of 0.5 drops the last element and
    doubles the rest."""
    np.random.seed(0)
    y = F.dropout(np.ones(5))
    assert y.array.tolist() == [2.0, 2.0, 2.0, 2.0, 0.0]
    with global_draws_like(lambda: np.random.rand(4, 3)):
        F.dropout(np.ones((4, 3)), 0.3)


def test_a_seeded_mask_passes_the_book_s_gradient_check() -> None:
    """The book's own test idiom: ``f`` re-seeds before each dropout, so every
    evaluation of ``f`` uses the same mask."""
    x = np.random.default_rng(0).standard_normal((10, 20))

    def f(v: Variable) -> Variable:
        np.random.seed(0)
        return F.dropout(v, 0.99)

    assert gradient_check(f, x)


def test_the_same_seed_gives_the_same_mask_and_rng_leaves_the_global_generator_alone() -> None:
    x = np.ones((50, 40))
    with global_generator_untouched():
        a = F.dropout(x, 0.3, rng=np.random.default_rng(0))
        b = F.dropout(x, 0.3, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(a.array, b.array)
    kept = a.array != 0
    np.testing.assert_allclose(a.array[kept], 1 / 0.7)
    assert abs(kept.mean() - 0.7) < 0.03


def test_the_gradient_is_the_mask_times_the_scale() -> None:
    x = Variable(np.random.default_rng(1).standard_normal((6, 5)).astype(np.float32))
    y = F.dropout(x, 0.5, rng=np.random.default_rng(2))
    g = np.random.default_rng(3).standard_normal(y.shape).astype(np.float32)
    F.sum(y * g).backward()
    assert x.grad is not None and x.grad.dtype == np.float32 and y.dtype == np.float32
    np.testing.assert_allclose(x.grad.array, g * (y.array / x.array), rtol=1e-6)


def test_test_mode_is_the_identity() -> None:
    x = Variable(np.arange(4.0))
    with test_mode():
        assert F.dropout(x, 0.9) is x
        np.testing.assert_array_equal(F.dropout(np.arange(3.0)).array, np.arange(3.0))


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"dropout_ratio": 1.0}, ValueError, r"\[0, 1\)"),
        ({"dropout_ratio": -0.1}, ValueError, r"\[0, 1\)"),
        ({"dropout_ratio": True}, TypeError, "number"),
        ({"rng": 0}, TypeError, "Generator"),
        ({"rng": np.random.RandomState(0)}, TypeError, "Generator"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        F.dropout(np.ones(3), **kwargs)  # type: ignore[arg-type]


def test_integer_data_is_refused_in_training_mode() -> None:
    with pytest.raises(TypeError, match="floating-point"):
        F.dropout(np.ones(3, dtype=int), 0.5)


def test_backward_uses_the_forward_mask_after_the_generator_moved_on() -> None:
    """Dropout is one Function keeping its mask: draws between forward and backward
    change nothing, with or without create_graph."""
    w = np.arange(20.0).reshape(4, 5)
    for create_graph in (False, True):
        np.random.seed(3)
        x = Variable(np.ones((4, 5)))
        y = F.dropout(x, 0.4)
        np.random.rand(100)  # the generator moves on before backward
        F.sum(y * w).backward(create_graph=create_graph)
        assert type(y.creator).__name__ == "Dropout" and x.grad is not None
        np.testing.assert_allclose(x.grad.array, w * (y.array != 0) / 0.6, rtol=1e-15)
