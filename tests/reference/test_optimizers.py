"""Optimizers against their closed-form update formulas (written out here in float64),
hooks, and optimizer state that follows the Parameter, not its id()."""

from __future__ import annotations

import gc
import inspect
import math
from collections.abc import Callable

import numpy as np
import pytest

import dezero.functions as F
import dezero.layers as L
from dezero import Layer, Parameter, Variable
from dezero.optimizers import (
    SGD,
    AdaDelta,
    AdaGrad,
    Adam,
    ClipGrad,
    FreezeParam,
    MomentumSGD,
    Optimizer,
    WeightDecay,
)
from strategies.implementation.protocols import Array

STEPS = 3
SHAPES = [(3, 4), (5,)]


class Pair(Layer):
    def __init__(self, rng: np.random.Generator, dtype: type = np.float64) -> None:
        super().__init__()
        self.a = Parameter(rng.standard_normal(SHAPES[0]).astype(dtype), name="a")
        self.b = Parameter(rng.standard_normal(SHAPES[1]).astype(dtype), name="b")


class Holder(Layer):
    """Parameters assigned by the test (declared for the type checker)."""

    w: Parameter
    p: Parameter
    q: Parameter


# Each reference returns (initial state, step) where step(p, g, state, k) -> new p,
# k counting from 1. Written as the textbook formulas, not as dezero's in-place code.
Reference = Callable[[Array, Array, dict[str, Array], int], Array]


def sgd_step(lr: float) -> Reference:
    def step(p: Array, g: Array, s: dict[str, Array], k: int) -> Array:
        return p - lr * g

    return step


def momentum_step(lr: float, momentum: float) -> Reference:
    def step(p: Array, g: Array, s: dict[str, Array], k: int) -> Array:
        s["v"] = momentum * s.get("v", np.zeros_like(p)) - lr * g
        return p + s["v"]

    return step


def adagrad_step(lr: float, eps: float) -> Reference:
    def step(p: Array, g: Array, s: dict[str, Array], k: int) -> Array:
        s["h"] = s.get("h", np.zeros_like(p)) + g**2
        return p - lr * g / (np.sqrt(s["h"]) + eps)

    return step


def adadelta_step(rho: float, eps: float) -> Reference:
    def step(p: Array, g: Array, s: dict[str, Array], k: int) -> Array:
        s["msg"] = rho * s.get("msg", np.zeros_like(p)) + (1 - rho) * g**2
        msdx = s.get("msdx", np.zeros_like(p))
        dx: Array = np.sqrt((msdx + eps) / (s["msg"] + eps)) * g
        s["msdx"] = rho * msdx + (1 - rho) * dx**2
        return p - dx

    return step


def adam_step(alpha: float, beta1: float, beta2: float, eps: float) -> Reference:
    def step(p: Array, g: Array, s: dict[str, Array], k: int) -> Array:
        s["m"] = beta1 * s.get("m", np.zeros_like(p)) + (1 - beta1) * g
        s["v"] = beta2 * s.get("v", np.zeros_like(p)) + (1 - beta2) * g**2
        lr = alpha * math.sqrt(1 - beta2**k) / (1 - beta1**k)
        return p - lr * s["m"] / (np.sqrt(s["v"]) + eps)

    return step


CASES: list[tuple[str, Callable[[], Optimizer], Reference]] = [
    ("SGD-default", SGD, sgd_step(0.01)),
    ("SGD", lambda: SGD(lr=0.3), sgd_step(0.3)),
    ("MomentumSGD-default", MomentumSGD, momentum_step(0.01, 0.9)),
    ("MomentumSGD", lambda: MomentumSGD(lr=0.1, momentum=0.5), momentum_step(0.1, 0.5)),
    ("AdaGrad-default", AdaGrad, adagrad_step(0.001, 1e-8)),
    ("AdaGrad", lambda: AdaGrad(lr=0.5, eps=1e-3), adagrad_step(0.5, 1e-3)),
    ("AdaDelta-default", AdaDelta, adadelta_step(0.95, 1e-6)),
    ("AdaDelta", lambda: AdaDelta(rho=0.5, eps=1e-2), adadelta_step(0.5, 1e-2)),
    ("Adam-default", Adam, adam_step(0.001, 0.9, 0.999, 1e-8)),
    ("Adam", lambda: Adam(alpha=0.1, beta1=0.5, beta2=0.8, eps=1e-3), adam_step(0.1, 0.5, 0.8, 1e-3)),
]


@pytest.mark.parametrize(("name", "make", "reference"), CASES, ids=[c[0] for c in CASES])
def test_updates_equal_the_closed_form_formulas(name: str, make: Callable[[], Optimizer], reference: Reference) -> None:
    rng = np.random.default_rng(sum(map(ord, name)))
    model = Pair(rng)
    optimizer = make().setup(model)
    expected = [p.array.copy() for p in model.params()]
    states: list[dict[str, Array]] = [{} for _ in expected]
    for k in range(1, STEPS + 1):
        grads = [rng.standard_normal(s) for s in SHAPES]
        for p, g in zip(model.params(), grads):
            p.grad = Variable(g.copy())
        optimizer.update()
        expected = [reference(e, g, s, k) for e, g, s in zip(expected, grads, states)]
        for p, e in zip(model.params(), expected):
            np.testing.assert_allclose(p.array, e, rtol=1e-12, atol=1e-14)


def test_hyperparameter_names_and_defaults_are_the_books() -> None:
    def defaults(cls: type) -> dict[str, object]:
        return {n: p.default for n, p in inspect.signature(cls).parameters.items()}

    assert defaults(SGD) == {"lr": 0.01}
    assert defaults(MomentumSGD) == {"lr": 0.01, "momentum": 0.9}
    assert defaults(AdaGrad) == {"lr": 0.001, "eps": 1e-8}
    assert defaults(AdaDelta) == {"rho": 0.95, "eps": 1e-6}
    assert defaults(Adam) == {"alpha": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}


def test_adam_lr_and_t_follow_the_book() -> None:
    optimizer = Adam(alpha=0.01).setup(Pair(np.random.default_rng(0)))
    for p in optimizer.target.params() if optimizer.target else []:
        p.grad = Variable(np.ones(p.shape))
    optimizer.update()
    optimizer.update()
    assert optimizer.t == 2
    assert optimizer.lr == pytest.approx(0.01 * math.sqrt(1 - 0.999**2) / (1 - 0.9**2))


def test_adam_bias_correction_counts_the_updates_of_each_parameter() -> None:
    """A parameter frozen for two steps gets its first-step correction when it starts
    moving (the book would use t = 3 for it, shrinking that step)."""
    rng = np.random.default_rng(1)
    model = Pair(rng)
    optimizer = Adam(alpha=0.1).setup(model)
    b0 = model.b.array.copy()
    for step in range(3):
        model.a.grad = Variable(rng.standard_normal(SHAPES[0]))
        g = rng.standard_normal(SHAPES[1])
        model.b.grad = Variable(g) if step == 2 else None
        optimizer.update()
    expected = adam_step(0.1, 0.9, 0.999, 1e-8)(b0, g, {}, 1)
    np.testing.assert_allclose(model.b.array, expected, rtol=1e-12)


def test_float32_parameters_stay_float32() -> None:
    rng = np.random.default_rng(2)
    for make in (SGD, MomentumSGD, AdaGrad, AdaDelta, Adam):
        model = Pair(rng, np.float32)
        optimizer = make().setup(model)
        optimizer.add_hook(WeightDecay(1e-3))
        optimizer.add_hook(ClipGrad(0.1))
        for _ in range(2):
            for p in model.params():
                p.grad = Variable(rng.standard_normal(p.shape).astype(np.float32))
            optimizer.update()
        assert all(p.dtype == np.float32 and p.grad is not None and p.grad.dtype == np.float32 for p in model.params())


def test_parameters_without_a_gradient_are_left_alone() -> None:
    model = Pair(np.random.default_rng(3))
    before = model.b.array.copy()
    model.a.grad = Variable(np.ones(SHAPES[0]))
    Adam().setup(model).update()
    np.testing.assert_array_equal(model.b.array, before)


# --------------------------------------------------------------------- hooks


def test_weight_decay_adds_rate_times_the_parameter() -> None:
    rng = np.random.default_rng(4)
    model = Pair(rng)
    optimizer = SGD(lr=0.1).setup(model)
    optimizer.add_hook(WeightDecay(0.01))
    grads = [rng.standard_normal(s) for s in SHAPES]
    before = [p.array.copy() for p in model.params()]
    for p, g in zip(model.params(), grads):
        p.grad = Variable(g)
    optimizer.update()
    for p, p0, g in zip(model.params(), before, grads):
        np.testing.assert_allclose(p.array, p0 - 0.1 * (g + 0.01 * p0), rtol=1e-12)


@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_scales_by_the_global_norm(max_norm: float) -> None:
    rng = np.random.default_rng(5)
    model = Pair(rng)
    optimizer = SGD(lr=1.0).setup(model)
    optimizer.add_hook(ClipGrad(max_norm))
    grads = [rng.standard_normal(s) for s in SHAPES]
    norm = math.sqrt(sum(float(np.sum(g**2)) for g in grads))
    rate = min(1.0, max_norm / (norm + 1e-6))
    before = [p.array.copy() for p in model.params()]
    for p, g in zip(model.params(), grads):
        p.grad = Variable(g)
    optimizer.update()
    for p, p0, g in zip(model.params(), before, grads):
        np.testing.assert_allclose(p.array, p0 - rate * g, rtol=1e-12)


@pytest.mark.parametrize("hook", [WeightDecay(0.5), ClipGrad(0.1)], ids=["WeightDecay", "ClipGrad"])
def test_hooks_work_on_zero_dimensional_parameters(hook: Callable[[list[Parameter]], None]) -> None:
    """Arithmetic on 0-d arrays gives NumPy scalars; the new grads are still arrays."""
    model = Holder()
    model.p = Parameter(np.array(2.0))
    optimizer = SGD(lr=1.0).setup(model)
    optimizer.add_hook(hook)
    model.p.grad = Variable(np.array(1.0))
    optimizer.update()
    expected = 2.0 - (1.0 + 0.5 * 2.0) if isinstance(hook, WeightDecay) else 2.0 - 0.1 / (1.0 + 1e-6)
    assert model.p.array.shape == () and model.p.array == pytest.approx(expected, rel=1e-12)


def test_freeze_param_keeps_layers_and_parameters_fixed() -> None:
    """The book's FreezeParam sets grads to None and then crashes in update_one."""
    rng = np.random.default_rng(6)
    class Net(Layer):
        def __init__(self) -> None:
            super().__init__()
            self.frozen_layer = L.Linear(3, in_size=2, rng=rng)
            self.free = L.Linear(3, in_size=3, rng=rng)
            self.frozen_param = Parameter(rng.standard_normal(2))

    model = Net()
    optimizer = Adam(alpha=0.1).setup(model)
    optimizer.add_hook(FreezeParam(model.frozen_layer, model.frozen_param))
    optimizer.add_hook(ClipGrad(1.0))  # runs after the freeze: must not see None grads
    before = {name: p.array.copy() for name, p in model.named_params()}
    x = rng.standard_normal((4, 2))
    for _ in range(2):
        loss = F.sum(model.free(model.frozen_layer(x)) ** 2) + F.sum(model.frozen_param**2)
        model.cleargrads()
        loss.backward()
        optimizer.update()
    for name, p in model.named_params():
        changed = not np.array_equal(p.array, before[name])
        assert changed == name.startswith("free/"), name


def test_hooks_see_separate_gradients_when_one_operation_fed_two_parameters() -> None:
    """``Add`` hands one gradient to both inputs; the book stores it as both grads,
    so an in-place hook on one corrupts the other. Checked with WeightDecay and with
    a hook written the book's way (in place on ``grad.data``)."""
    rng = np.random.default_rng(7)
    upstream = rng.standard_normal(4)

    def in_place_decay(params: list[Parameter]) -> None:
        for p in params:
            assert p.grad is not None
            p.grad.array[...] += 0.5 * p.array

    for hook in (WeightDecay(0.5), in_place_decay):
        model = Holder()
        model.p = Parameter(rng.standard_normal(4))
        model.q = Parameter(rng.standard_normal(4))
        F.sum((model.p + model.q) * upstream).backward()
        p0, q0 = model.p.array.copy(), model.q.array.copy()
        optimizer = SGD(lr=1.0).setup(model)
        optimizer.add_hook(hook)
        optimizer.update()
        np.testing.assert_allclose(model.p.array, p0 - (upstream + 0.5 * p0), rtol=1e-12)
        np.testing.assert_allclose(model.q.array, q0 - (upstream + 0.5 * q0), rtol=1e-12)


# --------------------------------------------------------------------- state


def test_state_dies_with_its_parameter_and_a_new_parameter_starts_fresh() -> None:
    """The book keys state by id(param): a new Parameter that reuses a dead one's id
    inherits its momentum. Here the state is keyed by the Parameter (weakly)."""
    model = Holder()
    optimizer = MomentumSGD(lr=0.1, momentum=0.9).setup(model)
    model.w = Parameter(np.zeros(3))
    for _ in range(3):
        model.w.grad = Variable(np.ones(3))
        optimizer.update()
    dead_id = id(model.w)
    assert len(optimizer._state) == 1
    del model.w
    gc.collect()
    assert len(optimizer._state) == 0

    candidates = [Parameter(np.zeros(3)) for _ in range(50)]
    fresh = next((c for c in candidates if id(c) == dead_id), candidates[0])
    model.w = fresh
    fresh.grad = Variable(np.ones(3))
    optimizer.update()
    np.testing.assert_allclose(fresh.array, -0.1 * np.ones(3))  # v started at zero


def test_state_of_a_parameter_that_changed_shape_is_an_error() -> None:
    model = Holder()
    model.w = Parameter(np.zeros(3))
    optimizer = Adam().setup(model)
    model.w.grad = Variable(np.ones(3))
    optimizer.update()
    model.w.data = np.zeros(4)
    model.w.grad = Variable(np.ones(4))
    with pytest.raises(ValueError, match="changed shape"):
        optimizer.update()


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: SGD().update(), RuntimeError, "setup"),
        (lambda: SGD().setup(np.zeros(2)), TypeError, "Layer"),  # type: ignore[arg-type]
        (lambda: SGD(lr=-1), ValueError, "lr"),
        (lambda: SGD(lr="0.1"), TypeError, "lr"),  # type: ignore[arg-type]
        (lambda: MomentumSGD(momentum=1.0), ValueError, "momentum"),
        (lambda: AdaGrad(eps=0), ValueError, "eps"),
        (lambda: AdaDelta(rho=float("nan")), ValueError, "rho"),
        (lambda: Adam(beta1=1.5), ValueError, "beta1"),
        (lambda: Adam(beta2=-0.1), ValueError, "beta2"),
        (lambda: WeightDecay(-1), ValueError, "rate"),
        (lambda: ClipGrad(-1), ValueError, "max_norm"),
        (lambda: FreezeParam(np.zeros(2)), TypeError, "Layers and Parameters"),  # type: ignore[arg-type]
        (lambda: SGD().add_hook(3), TypeError, "callable"),  # type: ignore[arg-type]
    ],
)
def test_bad_arguments_raise_clear_errors(call: Callable[[], object], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        call()
