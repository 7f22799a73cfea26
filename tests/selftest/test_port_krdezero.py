"""The KRDeZero driver (tests/fixtures/ports/krdezero): it builds offline, speaks the
protocol as docs/driver-protocol.md's session shows, and the findings recorded in
docs/conformance/krdezero.md are still the port's answers (if one of these fails
because the port was fixed, update that page).

Skipped, saying why, when the port's folder or the Rust toolchain or Debian's crates
are missing. ``KRDEZERO_PORT`` names the port's folder (default: the shared copy);
``KRDEZERO_BUILD`` the build folder (default: one in the system's temporary folder,
kept between runs so that a rebuild takes seconds, not minutes).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from strategies.graphs.spec import GraphSpec, Leaf, Node
from strategies.ports.driver import Driver
from strategies.ports.protocol import Answer, PortError, Request

ROOT = Path(__file__).resolve().parents[2]
BUILD_SCRIPT = ROOT / "tests" / "fixtures" / "ports" / "krdezero" / "build.sh"
PORT = Path(os.environ.get("KRDEZERO_PORT", "/work/shared/ports/krdezero"))
BUILD = Path(os.environ.get("KRDEZERO_BUILD", Path(tempfile.gettempdir()) / "krdezero-driver-build"))


@pytest.fixture(scope="module")
def driver() -> Iterator[Driver]:
    if not (PORT / "kdezero" / "Cargo.toml").is_file():
        pytest.skip(f"KRDeZero is not at {PORT} (set KRDEZERO_PORT)")
    result = subprocess.run(["sh", str(BUILD_SCRIPT), str(PORT), str(BUILD)], capture_output=True, text=True,
                            timeout=1800)
    if result.returncode != 0:
        reason = [line for line in result.stderr.splitlines() if "cannot build" in line]
        pytest.skip(reason[-1] if reason else result.stderr[-500:])
    with Driver(result.stdout.strip().splitlines()[-1]) as d:
        yield d


def _spec(dtype: str, leaves: list[tuple[tuple[int, ...], list[float]]], *nodes: tuple[str, tuple[int, ...]]) -> GraphSpec:
    steps: list[Leaf | Node] = [Leaf(shape, tuple(values)) for shape, values in leaves]
    steps += [Node(op, args, ()) for op, args in nodes]
    return GraphSpec(tuple(steps), len(steps) - 1, dtype)


def _listed(x: object) -> object:
    return None if x is None else np.asarray(x).tolist()


def test_the_handshake_declares_what_the_port_offers(driver: Driver) -> None:
    caps = driver.capabilities
    assert (caps.name, caps.language) == ("krdezero", "Rust")
    assert caps.dtypes == ("float64", "float32") and caps.max_rank == 4
    assert (caps.broadcast, caps.higher_order, caps.retain_grad, caps.backward_calls) == (False, True, True, True)
    assert {"sin", "add", "sum", "matmul", "softmax_cross_entropy"} <= set(caps.ops)
    assert not {"add_scalar", "transpose", "sqrt", "max"} & set(caps.ops)


def test_the_protocols_session_gets_the_same_answers(driver: Driver) -> None:
    """The session of docs/driver-protocol.md, bit for bit where it is exact."""
    spec = GraphSpec((Leaf((2,), (1.0, 2.0)), Leaf((2,), (0.5, -1.5)), Node("mul", (0, 1), ()), Node("sin", (2,), ()),
                      Node("sum", (3,), (("axis", None), ("keepdims", False)))), 4)
    first = driver.run(Request(spec, seed=np.array(1.0)))
    assert isinstance(first, Answer)
    assert first.values[4].tolist() == 0.33830553054433576
    assert _listed(first.grads[0]) == [0.4387912809451864, 1.4849887449006682]
    assert _listed(first.grads[1]) == [0.8775825618903728, -1.9799849932008908]
    assert first.grads[2:] == [None, None, None] and first.backward_calls == [None, None, 1, 1, 1]
    second = driver.run(Request(spec, seed=np.array(1.0), create_graph=True,
                                direction=[np.array([1.0, 0.0]), np.array([0.0, 0.0])]))
    assert isinstance(second, Answer) and second.second is not None
    assert _listed(second.second[0]) == [-0.11985638465105075, 0.0]
    assert _listed(second.second[1]) == [0.6378697925882713, 0.0]
    mismatch = driver.run(Request(_spec("float64", [((2,), [1.0, 2.0]), ((3,), [1.0, 2.0, 3.0])], ("add", (0, 1))),
                                  seed=np.ones(3)))
    assert isinstance(mismatch, PortError) and mismatch.type == "panic" and mismatch.phase == "forward"


def test_finding_matmul_takes_matrices_only(driver: Driver) -> None:
    spec = _spec("float64", [((2, 3), [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]), ((3,), [1.0, 0.5, -1.0])], ("matmul", (0, 1)))
    found = driver.run(Request(spec))
    assert isinstance(found, PortError), "KRDeZero's matmul now takes a vector: update docs/conformance/krdezero.md"
    assert found.type == "TensorError::ShapeSizeError"


def test_finding_mean_squared_error_backward_fails_on_float32(driver: Driver) -> None:
    spec = _spec("float32", [((2,), [1.0, 2.0]), ((2,), [0.0, 0.0])], ("mean_squared_error", (0, 1)))
    found = driver.run(Request(spec, seed=np.array(1.0, dtype=np.float32)))
    assert isinstance(found, PortError), "KRDeZero's MSE now works on float32: update docs/conformance/krdezero.md"
    assert (found.type, found.phase) == ("KDeZeroError::NotImplementedType", "backward")
    forward = driver.run(Request(spec))
    assert isinstance(forward, Answer) and forward.values[2].dtype == np.float32 and forward.values[2].tolist() == 2.5
