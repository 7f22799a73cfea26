"""Oracle 9: training. Layers, optimizers and persistence (the book's steps 44-60).

- Each optimizer's updates, over several steps, equal its closed-form update rule
  computed here in NumPy from the same parameters and gradients; so do the hooks
  WeightDecay, ClipGrad and FreezeParam in front of SGD.
- ``save_weights`` then ``load_weights`` into a model of the same architecture
  restores every parameter exactly, with its dtype.
- ``params()`` has the same order in interpreters with different hash seeds.

Gradients come from a real ``backward`` of a loss that is linear in the
parameters, with random coefficients, so each gradient is known exactly. Two
parameters of one shape are sometimes added before use: one ``Add`` then hands
both their gradient, which must not make a hook's update of one corrupt the other.

The implementation is reached through the ``impl`` fixture only: layers,
optimizers and models are looked up on it when a test runs.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as npst

from strategies.implementation.handle import Implementation, ImplementationError
from strategies.implementation.protocols import Array, grad_array

from ..helpers import param_order

pytestmark = pytest.mark.requires("operators", "tensors", "layers")



def _importable_from(module: ModuleType) -> str:
    """A PYTHONPATH under which ``module`` imports by its name (in this repository
    and where the suite is installed alike)."""
    depth = len(module.__name__.split("."))
    root = Path(str(module.__file__)).resolve().parents[depth - 1]
    return os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])
# Closed forms are computed in float64 from the implementation's starting values;
# float32 parameters round at every step.
RTOL = {"float64": 1e-10, "float32": 2e-5}


def _lookup(impl: Implementation, module: str, name: str) -> Any:
    """``impl.<module>.<name>``, or the test is not applicable."""
    try:
        found = getattr(impl.submodule(module), name, None)
    except ImplementationError:
        found = None
    if found is None:
        pytest.skip(f"not applicable: the implementation lacks {module}.{name}")
    return found


# --------------------------------------------------------------------- a model of raw parameters


@dataclass
class Setup:
    """Parameters of a two-level Layer (``model.a.p0``, ``model.b.p1``, ...), the
    sub-layer each belongs to, and pairs of same-shape parameters that share one
    ``Add`` in the loss."""

    model: Any
    params: list[Any]
    owner: list[str]
    dtype: str
    ties: list[tuple[int, int]] = field(default_factory=list)


def _values(shape: tuple[int, ...], dtype: str, low: int = -200, high: int = 200) -> st.SearchStrategy[Array]:
    """Arrays of multiples of 1/100 (exact in float64, readable when shrunk)."""
    return npst.arrays(np.float64, shape, elements=st.integers(low, high).map(lambda c: c / 100)).map(
        lambda a: a.astype(dtype)
    )


def _draw_setup(impl: Implementation, data: st.DataObject) -> Setup:
    dtype = data.draw(st.sampled_from(["float64", "float32"]), label="dtype")
    shapes = data.draw(
        st.lists(npst.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=3), min_size=1, max_size=5),
        label="parameter shapes",
    )
    layers = _lookup(impl, "layers", "Layer")
    model, subs = layers(), {"a": layers(), "b": layers()}
    params, owner = [], []
    for k, shape in enumerate(shapes):
        where = data.draw(st.sampled_from(sorted(subs)), label=f"p{k} in")
        param = impl.attr("Parameter")(data.draw(_values(shape, dtype), label=f"p{k}"))
        setattr(subs[where], f"p{k}", param)
        params.append(param)
        owner.append(where)
    for name, sub in subs.items():
        setattr(model, name, sub)
    same_shape = [(i, j) for i in range(len(shapes)) for j in range(i + 1, len(shapes)) if shapes[i] == shapes[j]]
    ties: list[tuple[int, int]] = []
    if same_shape:
        for i, j in data.draw(st.lists(st.sampled_from(same_shape), unique=True, max_size=2), label="tied pairs"):
            if not any({i, j} & set(pair) for pair in ties):  # disjoint pairs
                ties.append((i, j))
    return Setup(model, params, owner, dtype, ties)


def _give_grads(impl: Implementation, setup: Setup, used: Sequence[bool], data: st.DataObject, step: int) -> list[Array | None]:
    """``loss = sum over terms of sum(c * p)`` (``sum(c * (p_i + p_j))`` for a tied pair),
    then ``loss.backward()``: each used parameter's gradient is its coefficients
    ``c`` (summed over the terms it is in). Returns those expected gradients."""
    for param in setup.params:  # (not cleargrads(): a method the implementation may name otherwise)
        param.grad = None
    expected: list[Array | None] = [None] * len(setup.params)
    terms = []
    tied = [(i, j) for i, j in setup.ties if used[i] and used[j]]
    in_tie = {k for pair in tied for k in pair}
    groups: list[tuple[int, ...]] = [*tied, *((k,) for k in range(len(setup.params)) if used[k] and k not in in_tie)]
    for group in groups:
        shape = setup.params[group[0]].data.shape
        c = data.draw(_values(shape, setup.dtype), label=f"step {step}: coefficients of {group}")
        total = setup.params[group[0]]
        for k in group[1:]:
            total = total + setup.params[k]
        terms.append(impl.F.sum(total * c))
        for k in group:
            expected[k] = c.astype(np.float64)
    if terms:
        loss = terms[0]
        for term in terms[1:]:
            loss = loss + term
        loss.backward()
    for k, param in enumerate(setup.params):
        got = grad_array(param.grad)
        want = expected[k]
        assert (got is None) == (want is None), f"[training] p{k}: gradient {got!r}, expected {want!r}"
        if got is not None and want is not None:
            assert np.array_equal(got, want), f"[training] p{k}: backward gave {got!r}, expected exactly {want!r}"
    return expected


def _assert_params(setup: Setup, expected: Sequence[Array], what: str, shared: str = "") -> None:
    for k, (param, want) in enumerate(zip(setup.params, expected)):
        got = np.asarray(param.data)
        assert got.dtype == np.dtype(setup.dtype), f"[{what}] p{k} became {got.dtype}, was {setup.dtype}"
        assert got.shape == want.shape, f"[{what}] p{k} has shape {got.shape}, expected {want.shape}"
        allowed = RTOL[setup.dtype] * (1 + np.abs(want))
        assert np.all(np.abs(got - want) <= allowed), (
            f"[{what}] p{k} after the update{shared}:\n got      {got!r}\n expected {want!r}"
        )


def _sharing(setup: Setup) -> str:
    """Which parameters hold one gradient object (as the book's Add gives both its
    inputs), said in a failure's first line: a hook that updates a gradient in place
    then changes both."""
    grads = [(k, param.grad) for k, param in enumerate(setup.params) if param.grad is not None]
    pairs = [f"p{a} and p{b}" for i, (a, ga) in enumerate(grads) for b, gb in grads[i + 1:]
             if ga is gb or np.shares_memory(grad_array(ga), grad_array(gb))]
    return f" ({', '.join(pairs)} were given one gradient object)" if pairs else ""


# --------------------------------------------------------------------- closed forms


class Rule:
    """An update rule in closed form: ``step(k, p, g)`` returns the new value of
    parameter ``k`` (float64) from its value and gradient, keeping per-parameter state."""

    def __init__(self, **hyper: float) -> None:
        self.hyper = hyper
        self.state: dict[tuple[int, str], Array] = {}
        self.count: dict[int, int] = {}

    def buffer(self, k: int, name: str, like: Array) -> Array:
        return self.state.setdefault((k, name), np.zeros_like(like))

    def step(self, k: int, p: Array, g: Array) -> Array:
        raise NotImplementedError


class SGDRule(Rule):
    def step(self, k: int, p: Array, g: Array) -> Array:
        return p - self.hyper["lr"] * g


class MomentumRule(Rule):
    def step(self, k: int, p: Array, g: Array) -> Array:
        v = self.hyper["momentum"] * self.buffer(k, "v", p) - self.hyper["lr"] * g
        self.state[k, "v"] = v
        return p + v


class AdaGradRule(Rule):
    def step(self, k: int, p: Array, g: Array) -> Array:
        h = self.buffer(k, "h", p) + g**2
        self.state[k, "h"] = h
        return np.asarray(p - self.hyper["lr"] * g / (np.sqrt(h) + self.hyper["eps"]))


class AdaDeltaRule(Rule):
    def step(self, k: int, p: Array, g: Array) -> Array:
        rho, eps = self.hyper["rho"], self.hyper["eps"]
        msg = rho * self.buffer(k, "msg", p) + (1 - rho) * g**2
        dx = np.sqrt((self.buffer(k, "msdx", p) + eps) / (msg + eps)) * g
        self.state[k, "msg"] = msg
        self.state[k, "msdx"] = rho * self.state[k, "msdx"] + (1 - rho) * dx**2
        return np.asarray(p - dx)


class AdamRule(Rule):
    """Moments ``m``, ``v`` with bias correction after ``t`` updates:
    ``p - alpha * sqrt(1 - beta2**t) / (1 - beta1**t) * m / (sqrt(v) + eps)``."""

    def step(self, k: int, p: Array, g: Array) -> Array:
        b1, b2 = self.hyper["beta1"], self.hyper["beta2"]
        t = self.count[k] = self.count.get(k, 0) + 1
        m = b1 * self.buffer(k, "m", p) + (1 - b1) * g
        v = b2 * self.buffer(k, "v", p) + (1 - b2) * g**2
        self.state[k, "m"], self.state[k, "v"] = m, v
        rate = self.hyper["alpha"] * math.sqrt(1 - b2**t) / (1 - b1**t)
        return p - rate * m / (np.sqrt(v) + self.hyper["eps"])


# name -> (closed form, hyperparameter draws, whether every parameter gets a gradient
# at every step). Adam: the book corrects the bias by the optimizer's step count,
# this reference by each parameter's; they agree when every parameter updates.
OPTIMIZERS: dict[str, tuple[type[Rule], dict[str, st.SearchStrategy[float]], bool]] = {
    "SGD": (SGDRule, {"lr": st.sampled_from([0.01, 0.1, 0.5])}, False),
    "MomentumSGD": (MomentumRule, {"lr": st.sampled_from([0.01, 0.5]), "momentum": st.sampled_from([0.9, 0.5, 0.0])},
                    False),
    "AdaGrad": (AdaGradRule, {"lr": st.sampled_from([0.001, 0.1]), "eps": st.sampled_from([1e-8, 1e-3])}, False),
    "AdaDelta": (AdaDeltaRule, {"rho": st.sampled_from([0.95, 0.5]), "eps": st.sampled_from([1e-6, 1e-3])}, False),
    "Adam": (AdamRule, {"alpha": st.sampled_from([0.001, 0.1]), "beta1": st.sampled_from([0.9, 0.5]),
                        "beta2": st.sampled_from([0.999, 0.9]), "eps": st.sampled_from([1e-8, 1e-3])}, True),
}


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
@given(data=st.data())
def test_optimizer_updates_match_the_closed_form(impl: Implementation, name: str, data: st.DataObject) -> None:
    cls = _lookup(impl, "optimizers", name)
    rule_type, draws, every_step = OPTIMIZERS[name]
    hyper = {key: data.draw(strategy, label=key) for key, strategy in draws.items()}
    setup = _draw_setup(impl, data)
    optimizer = cls(**hyper).setup(setup.model)
    rule = rule_type(**hyper)
    current = [np.array(p.data, dtype=np.float64, copy=True) for p in setup.params]
    for step in range(data.draw(st.integers(1, 4), label="steps")):
        n = len(setup.params)
        used = [True] * n if every_step else data.draw(st.lists(st.booleans(), min_size=n, max_size=n), label="used")
        g = _give_grads(impl, setup, used, data, step)
        optimizer.update()
        current = [c if gk is None else rule.step(k, c, gk) for k, (c, gk) in enumerate(zip(current, g))]
        _assert_params(setup, current, f"{name}, step {step + 1}")


def _freeze_targets(setup: Setup, data: st.DataObject) -> tuple[list[Any], set[int]]:
    """What FreezeParam is given (sub-layers and parameters) and the parameters frozen."""
    layers = data.draw(st.lists(st.sampled_from(["a", "b"]), unique=True, max_size=1), label="frozen layers")
    singles = data.draw(st.lists(st.integers(0, len(setup.params) - 1), unique=True, max_size=2), label="frozen")
    frozen = {k for k, where in enumerate(setup.owner) if where in layers} | set(singles)
    return [getattr(setup.model, name) for name in layers] + [setup.params[k] for k in singles], frozen


HOOKS = ("WeightDecay", "ClipGrad", "FreezeParam")


@pytest.mark.parametrize("hook", HOOKS)
@given(data=st.data())
def test_hooks_change_gradients_as_their_formula_says(impl: Implementation, hook: str, data: st.DataObject) -> None:
    """SGD after the hook: WeightDecay adds ``rate * p`` to each gradient; ClipGrad
    scales all gradients by ``max_norm / (norm + 1e-6)`` when that is below 1 (norm:
    of all gradients together); FreezeParam leaves its parameters unchanged, also
    when a WeightDecay added after it would move them if their gradients were still
    there (as zeros, say)."""
    cls = _lookup(impl, "optimizers", hook)
    setup = _draw_setup(impl, data)
    lr = data.draw(st.sampled_from([0.1, 0.5]), label="lr")
    optimizer = _lookup(impl, "optimizers", "SGD")(lr=lr).setup(setup.model)
    frozen: set[int] = set()
    rate = 0.0  # WeightDecay's, when one runs
    added = hook
    if hook == "WeightDecay":
        rate = data.draw(st.sampled_from([0.1, 0.5, 1e-4]), label="rate")
        optimizer.add_hook(cls(rate))
    elif hook == "ClipGrad":
        max_norm = data.draw(st.sampled_from([0.1, 1.0, 100.0]), label="max_norm")
        optimizer.add_hook(cls(max_norm))
    else:
        targets, frozen = _freeze_targets(setup, data)
        optimizer.add_hook(cls(*targets))
        decay = getattr(impl.submodule("optimizers"), "WeightDecay", None)
        if decay is not None and data.draw(st.booleans(), label="then WeightDecay"):
            rate = data.draw(st.sampled_from([0.1, 0.5]), label="rate")
            optimizer.add_hook(decay(rate))
            added = "FreezeParam, WeightDecay"
    current = [np.array(p.data, dtype=np.float64, copy=True) for p in setup.params]
    for step in range(data.draw(st.integers(1, 3), label="steps")):
        n = len(setup.params)
        used = data.draw(st.lists(st.booleans(), min_size=n, max_size=n), label="used")
        g = _give_grads(impl, setup, used, data, step)
        shared = _sharing(setup)
        if hook == "ClipGrad":
            norm = math.sqrt(sum(float(np.sum(gk**2)) for gk in g if gk is not None))
            scale = max_norm / (norm + 1e-6)
            if scale < 1:
                g = [None if gk is None else gk * scale for gk in g]
        else:  # FreezeParam drops its parameters' gradients; WeightDecay adds rate * p to the rest
            g = [None if k in frozen or gk is None else gk + rate * c for k, (gk, c) in enumerate(zip(g, current))]
        optimizer.update()
        current = [c if gk is None else c - lr * gk for c, gk in zip(current, g)]
        _assert_params(setup, current, f"{added} then SGD, step {step + 1}", shared)


# --------------------------------------------------------------------- persistence


def _random_model(impl: Implementation, data: st.DataObject, dtype: str) -> tuple[Callable[[], Any], int]:
    """A recipe for a model (Linear and Conv2d layers of random sizes, and sub-layers
    holding raw parameters), called twice to make two of the same architecture, and
    how many parameters it has."""
    layers, models = impl.submodule("layers"), impl.submodule("models")
    parts: list[tuple[str, Any]] = []
    for k in range(data.draw(st.integers(1, 4), label="parts")):
        kind = data.draw(st.sampled_from(["linear", "conv2d", "layer"]), label=f"part {k}")
        if kind == "linear":
            linear = st.tuples(st.integers(1, 4), st.integers(1, 4), st.booleans())
            parts.append((kind, data.draw(linear, label="in, out, nobias")))
        elif kind == "conv2d":
            conv = st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.booleans())
            parts.append((kind, data.draw(conv, label="in channels, out channels, kernel, nobias")))
        else:
            shapes = data.draw(st.lists(npst.array_shapes(min_dims=0, max_dims=3, max_side=3), min_size=1, max_size=3),
                               label="raw parameter shapes")
            parts.append((kind, shapes))

    def make() -> Any:
        model = models.Model()
        for k, (kind, sizes) in enumerate(parts):
            if kind == "linear":
                part = layers.Linear(sizes[1], nobias=sizes[2], dtype=dtype, in_size=sizes[0])
            elif kind == "conv2d":
                part = layers.Conv2d(sizes[1], sizes[2], nobias=sizes[3], dtype=dtype, in_channels=sizes[0])
            else:
                part = layers.Layer()
                for j, shape in enumerate(sizes):
                    setattr(part, f"w{j}", impl.attr("Parameter")(np.zeros(shape, dtype=dtype)))
            setattr(model, f"l{k}", part)
        return model

    count = sum(len(sizes) if kind == "layer" else 2 - int(sizes[-1]) for kind, sizes in parts)
    return make, count


@pytest.mark.requires("L.Conv2d", "Layer.save_weights", "Layer.load_weights")
@given(data=st.data())
def test_save_then_load_restores_every_parameter_exactly(impl: Implementation, data: st.DataObject) -> None:
    dtype = data.draw(st.sampled_from(["float32", "float64"]), label="dtype")
    make, count = _random_model(impl, data, dtype)
    saved, loaded = make(), make()
    params = list(saved.params())
    assert len(params) == count, f"[save/load] the model has {len(params)} parameters, expected {count}"
    for k, param in enumerate(params):
        param.data = data.draw(_values(param.data.shape, dtype), label=f"parameter {k}")
    originals = [np.array(p.data, copy=True) for p in params]
    for p, q in zip(params, loaded.params()):
        q.data = (p.data + 1).astype(dtype)  # every value differs before the load
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "weights.npz")
        saved.save_weights(path)
        loaded.load_weights(path)
    for k, (p, q, original) in enumerate(zip(params, loaded.params(), originals)):
        assert np.array_equal(p.data, original), f"[save/load] saving changed parameter {k}"
        got = np.asarray(q.data)
        assert got.dtype == original.dtype, f"[save/load] parameter {k} came back as {got.dtype}, saved {original.dtype}"
        assert got.shape == original.shape and np.array_equal(got, original), (
            f"[save/load] parameter {k} came back as\n{got!r}\nbut was saved as\n{original!r}"
        )


# --------------------------------------------------------------------- parameter order

# Attribute names as models use them; their string hashes differ between runs.
NAMES = ("W", "b", "gamma", "beta", "conv1", "fc", "x2h", "h2h", "embed", "l0", "l1", "scale", "shift", "weight")


def _descriptions(depth: int = 2) -> st.SearchStrategy[param_order.Description]:
    """Layers with 3 to 6 attributes of distinct names, each a Parameter or (up to
    ``depth`` levels) a sub-layer."""
    child: st.SearchStrategy[Any] = st.none() if depth == 0 else st.one_of(st.none(), _descriptions(depth - 1))
    names = st.lists(st.sampled_from(NAMES), min_size=3, max_size=6, unique=True)
    return names.flatmap(lambda ns: st.tuples(*(child for _ in ns)).map(lambda cs: [[n, c] for n, c in zip(ns, cs)]))



@settings(max_examples=4)
@given(data=st.data())
def test_parameter_order_is_the_same_under_every_hash_seed(impl: Implementation, data: st.DataObject) -> None:
    """Models of nested layers with parameters under random attribute names: the
    order of ``params()`` here equals that in two fresh interpreters with other
    ``PYTHONHASHSEED`` values (the book keeps the names in a set: its order follows
    the string hashes). Kept cheap: few examples, one interpreter per seed for all
    of an example's models."""
    models = data.draw(st.lists(_descriptions(), min_size=1, max_size=3), label="models")
    seeds = data.draw(st.lists(st.integers(1, 2**32 - 1), min_size=2, max_size=2, unique=True), label="hash seeds")
    here = [param_order.order(impl, description) for description in models]
    for seed in seeds:
        result = subprocess.run(
            [sys.executable, "-m", param_order.__name__, impl.target or impl.name],
            input=json.dumps(models), capture_output=True, text=True, timeout=120,
            env={**os.environ, "PYTHONHASHSEED": str(seed), "PYTHONPATH": _importable_from(param_order)},
        )
        assert result.returncode == 0, result.stderr[-2000:]
        there = json.loads(result.stdout)
        for k, (a, b) in enumerate(zip(here, there)):
            assert a == b, (
                f"[parameter order] model {k}: params() order differs between this interpreter and one "
                f"with PYTHONHASHSEED={seed}:\n here  {a}\n there {b}"
            )
