"""dezero.utils: array helpers, numerical gradients, gradient_check, comparisons,
and Graphviz output."""

from __future__ import annotations

import functools
import http.server
import io
import os
import re
import shutil
import stat
import subprocess
import threading
import urllib.error
from pathlib import Path

import numpy as np
import pytest

import dezero.functions as F
import dezero.utils as U
from dezero import Function, Variable
from dezero._files import atomic_write
from tests.reference.helpers import F64, normal

# ---------------------------------------------------------------- sum_to, reshape_sum_backward


@pytest.mark.parametrize(
    ("shape", "target", "axes"),
    [((2, 3), (3,), (0,)), ((2, 3), (2, 1), (1,)), ((4, 2, 3), (1, 3), (0, 1)), ((2, 3), (), (0, 1)),
     ((2, 1, 3), (2, 1, 1), (2,))],
    ids=str,
)  # fmt: skip
def test_sum_to_sums_the_broadcast_axes(
    shape: tuple[int, ...], target: tuple[int, ...], axes: tuple[int, ...]
) -> None:
    x = normal(200, *shape)
    result = U.sum_to(x, target)
    assert result.shape == target
    np.testing.assert_allclose(result, x.sum(axis=axes).reshape(target))


def test_sum_to_the_same_shape_is_the_identity() -> None:
    x = normal(201, 2, 3)
    assert U.sum_to(x, (2, 3)) is x


@pytest.mark.parametrize("target", [(2,), (3, 1), (1, 2, 3), (6,), (2, -3)], ids=str)
def test_sum_to_an_incompatible_shape_is_a_value_error(target: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match=re.escape(f"shape {target} does not broadcast to shape (2, 3)")):
        U.sum_to(np.ones((2, 3)), target)


@pytest.mark.parametrize(
    ("axis", "keepdims", "gy_shape", "expected"),
    [(1, False, (2, 4), (2, 1, 4)), (-1, False, (2, 3), (2, 3, 1)), ((0, 2), False, (3,), (1, 3, 1)),
     (None, False, (), (1, 1, 1)), (1, True, (2, 1, 4), (2, 1, 4))],
    ids=str,
)  # fmt: skip
def test_reshape_sum_backward_reinserts_reduced_axes(
    axis: None | int | tuple[int, ...], keepdims: bool, gy_shape: tuple[int, ...], expected: tuple[int, ...]
) -> None:
    gy = normal(202, *gy_shape)
    result = U.reshape_sum_backward(gy, (2, 3, 4), axis, keepdims)
    assert result.shape == expected
    np.testing.assert_array_equal(result.ravel(), gy.ravel())


# ---------------------------------------------------------------- logsumexp


def test_logsumexp_matches_the_direct_formula() -> None:
    x = normal(203, 3, 4)
    np.testing.assert_allclose(U.logsumexp(x), np.log(np.exp(x).sum(axis=1, keepdims=True)))
    np.testing.assert_allclose(U.logsumexp(x, axis=0), np.log(np.exp(x).sum(axis=0, keepdims=True)))


def test_logsumexp_does_not_overflow() -> None:
    x = np.array([[1000.0, 1000.0], [-1000.0, -1000.0]])
    with np.errstate(over="raise"):
        result = U.logsumexp(x)
    np.testing.assert_allclose(result, [[1000.0 + np.log(2)], [-1000.0 + np.log(2)]])


# ---------------------------------------------------------------- numerical_grad


def test_numerical_grad_of_one_input() -> None:
    x = np.array([0.5, -1.0, 2.0])
    grad = U.numerical_grad(lambda v: v**3, x)
    assert isinstance(grad, np.ndarray) and grad.dtype == np.float64 and grad.shape == (3,)
    np.testing.assert_allclose(grad, 3 * x**2, rtol=1e-7)


def test_numerical_grad_of_a_variable_input_and_vector_output() -> None:
    x = Variable(np.array([[0.5, 1.0], [1.5, 2.0]]))
    grad = U.numerical_grad(lambda v: F.sin(v) * 2.0, x)
    np.testing.assert_allclose(grad, 2 * np.cos(x.array), rtol=1e-7)


def test_numerical_grad_computes_in_float64_for_float32_inputs() -> None:
    x32 = np.array([0.3, 1.7], dtype=np.float32)
    grad = U.numerical_grad(F.sin, x32)
    assert grad.dtype == np.float64
    # in float32, a step of 1e-4 would lose about three digits to rounding
    np.testing.assert_allclose(grad, np.cos(x32.astype(np.float64)), rtol=1e-8)


def test_numerical_grad_never_changes_the_callers_data() -> None:
    array = np.array([1.0, 2.0])
    variable = Variable(np.array([3.0, 4.0], dtype=np.float32))
    variable_data = variable.data
    seen: list[object] = []

    def f(a: Variable, b: Variable) -> Variable:
        seen.extend([a.data, b.data])
        return a * b

    U.numerical_grad(f, (array, variable))
    np.testing.assert_array_equal(array, [1.0, 2.0])
    assert variable.data is variable_data
    assert variable.dtype == np.float32
    np.testing.assert_array_equal(variable.array, [3.0, 4.0])
    assert variable.grad is None
    assert all(d is not array and d is not variable_data for d in seen)


def test_numerical_grad_of_several_inputs_with_extra_arguments() -> None:
    a, b = normal(204, 2, 3), normal(205, 3)

    def f(x: Variable, y: Variable, scale: float, *, offset: float) -> Variable:
        return (x * y + offset) * scale

    grads = U.numerical_grad(f, [a, b], 3.0, offset=0.5)
    assert isinstance(grads, tuple) and len(grads) == 2
    np.testing.assert_allclose(grads[0], 3.0 * np.broadcast_to(b, (2, 3)), rtol=1e-7)
    np.testing.assert_allclose(grads[1], 3.0 * a.sum(axis=0), rtol=1e-7)


def test_numerical_grad_accepts_a_function_returning_an_ndarray() -> None:
    grad = U.numerical_grad(lambda v: np.exp(v.array), np.array([0.0, 1.0]))
    np.testing.assert_allclose(grad, np.exp([0.0, 1.0]), rtol=1e-7)


# ---------------------------------------------------------------- gradient_check


class WrongSin(Function[Variable]):
    """sin with the derivative of -cos: gradient_check must notice."""

    def forward(self, x: F64) -> F64:
        return np.sin(x)

    def backward(self, gy: Variable) -> Variable:
        return gy * F.sin(self.inputs[0])


def test_gradient_check_accepts_a_correct_backward() -> None:
    assert U.gradient_check(F.tanh, normal(206, 3, 2))
    assert U.gradient_check(lambda x, W: F.matmul(x, W), [normal(207, 2, 3), normal(208, 3, 4)])


def test_gradient_check_rejects_a_wrong_backward_with_a_warning() -> None:
    with pytest.warns(UserWarning, match="input 0: backprop and numerical gradients differ"):
        assert not U.gradient_check(lambda x: WrongSin()(x), np.array([0.5, 1.0]))


def test_gradient_check_names_the_wrong_input_among_several() -> None:
    def f(a: Variable, b: Variable) -> Variable:
        return a * 2.0 + WrongSin()(b)

    with pytest.warns(UserWarning, match="input 1:") as record:
        assert not U.gradient_check(f, (np.array([0.5]), np.array([0.7])))
    assert len(record) == 1


def test_gradient_check_leaves_its_inputs_alone() -> None:
    x = Variable(np.array([0.5, 1.0], dtype=np.float32))
    assert U.gradient_check(F.exp, x)
    assert x.grad is None
    assert x.dtype == np.float32
    np.testing.assert_array_equal(x.array, np.array([0.5, 1.0], dtype=np.float32))


def test_gradient_check_forwards_extra_arguments() -> None:
    assert U.gradient_check(lambda x, n: x**n, np.array([1.5, 2.0]), 3)


def test_numerical_grad_of_an_output_that_is_a_view_of_the_input() -> None:
    """transpose and reshape return views of their input; the difference quotient
    must be taken before the input is restored (each element's derivative is 1)."""
    x = normal(209, 3, 2)
    np.testing.assert_allclose(U.numerical_grad(F.transpose, x), np.ones((3, 2)), rtol=1e-9)
    np.testing.assert_allclose(U.numerical_grad(lambda v: F.reshape(v, (6,)), x), np.ones((3, 2)), rtol=1e-9)


def test_gradient_check_with_integer_data_as_in_the_book() -> None:
    """The book's tests pass integer arrays (np.arange, literals): the check runs on
    float64 copies."""
    assert U.gradient_check(F.transpose, np.array([[1, 2, 3], [4, 5, 6]]))
    assert U.gradient_check(lambda x: F.im2col(x, 3, 3, 0), np.arange(9).reshape(1, 1, 3, 3))
    assert U.gradient_check(lambda x: x**2, np.array([1, 2]))


# ---------------------------------------------------------------- comparisons


def test_array_allclose() -> None:
    a = np.array([1.0, 2.0])
    assert U.array_allclose(a, a + 1e-7)
    assert U.array_allclose(Variable(a), Variable(a + 1e-7))
    assert U.array_allclose(Variable(a), a)
    assert not U.array_allclose(a, a + 1e-2)
    assert U.array_allclose(a, a + 1e-2, atol=0.02)


def test_array_allclose_broadcasts_as_numpy_allclose_does() -> None:
    """The book's semantics (``numpy.allclose``): shapes that broadcast compare
    element by element; shapes that do not are not close."""
    assert U.array_allclose(np.array([2.0]), np.array(2.0))  # the book's test of sum_to
    assert U.array_allclose(np.array([1.0]), np.array([1.0, 1.0]))
    assert U.array_allclose(np.ones((2, 3)), np.ones(3))
    assert not U.array_allclose(np.ones((2, 3)), np.array([1.0, 1.0, 1.5]))
    assert not U.array_allclose(np.ones((2, 3)), np.ones(2))


def test_array_equal() -> None:
    a = np.array([[1, 2], [3, 4]])
    assert U.array_equal(a, a.copy())
    assert U.array_equal(Variable(a), a)
    assert not U.array_equal(a, a.T)
    assert not U.array_equal(np.array([1.0]), np.array([1.0, 1.0]))


# ---------------------------------------------------------------- Graphviz


def _small_graph() -> tuple[Variable, Variable, Variable, Variable]:
    x0 = Variable(np.ones((2, 3)), name="x0")
    x1 = Variable(np.ones((2, 3), dtype=np.float32), name='say "hi"')
    y = x0 + x1
    y.name = "y"
    z = F.sin(y)
    return x0, x1, y, z


def test_get_dot_graph_lists_variables_functions_and_edges() -> None:
    x0, x1, y, z = _small_graph()
    add, sin = y.creator, z.creator
    assert add is not None and sin is not None
    dot = U.get_dot_graph(z, verbose=False)
    assert dot.startswith("digraph g {\n") and dot.endswith("}\n")
    lines = set(dot.splitlines())
    assert f'{id(x0)} [label="x0", color=orange, style=filled]' in lines
    assert f'{id(x1)} [label="say \\"hi\\"", color=orange, style=filled]' in lines
    assert f'{id(z)} [label="", color=orange, style=filled]' in lines
    assert f'{id(add)} [label="Add", color=lightblue, style=filled, shape=box]' in lines
    assert f'{id(sin)} [label="Sin", color=lightblue, style=filled, shape=box]' in lines
    edges = {line for line in lines if "->" in line}
    assert edges == {
        f"{id(x0)} -> {id(add)}",
        f"{id(x1)} -> {id(add)}",
        f"{id(add)} -> {id(y)}",
        f"{id(y)} -> {id(sin)}",
        f"{id(sin)} -> {id(z)}",
    }


def test_get_dot_graph_verbose_adds_shape_and_dtype() -> None:
    x0, x1, _, z = _small_graph()
    dot = U.get_dot_graph(z)
    assert f'{id(x0)} [label="x0: (2, 3) float64"' in dot
    assert f"{id(z)} [label=\"(2, 3) float64\"" in dot
    assert "float32" in dot


def test_get_dot_graph_of_a_leaf_is_one_node() -> None:
    x = Variable(np.ones(1), name="x")
    expected = f'digraph g {{\n{id(x)} [label="x", color=orange, style=filled]\n}}\n'
    assert U.get_dot_graph(x, verbose=False) == expected


def test_plot_dot_graph_without_graphviz_is_a_clear_runtime_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no dot anywhere
    _, _, _, z = _small_graph()
    with pytest.raises(RuntimeError, match="plot_dot_graph needs the Graphviz 'dot' program on PATH"):
        U.plot_dot_graph(z, to_file=str(tmp_path / "graph.png"))


def test_plot_dot_graph_calls_dot_with_an_argument_list(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls: list[tuple[object, dict[str, object]]] = []
    sources: list[str] = []

    def fake_run(args: object, **kwargs: object) -> subprocess.CompletedProcess[bytes]:
        calls.append((args, kwargs))
        assert isinstance(args, list)
        sources.append(Path(args[1]).read_text(encoding="utf-8"))
        return subprocess.CompletedProcess(args, 0)

    monkeypatch.setattr(shutil, "which", lambda name: f"/opt/graphviz/bin/{name}")
    monkeypatch.setattr(subprocess, "run", fake_run)
    _, _, _, z = _small_graph()
    target = str(tmp_path / "out.pdf")
    assert U.plot_dot_graph(z, verbose=False, to_file=target) == target
    (args, kwargs), = calls
    assert isinstance(args, list)
    assert args[0] == "/opt/graphviz/bin/dot"
    assert args[2:] == ["-T", "pdf", "-o", target]
    assert not kwargs.get("shell", False)
    assert sources == [U.get_dot_graph(z, verbose=False)]


def _install_fake_dot(directory: Path) -> Path:
    """A stand-in ``dot`` that records its arguments and writes the output file."""
    log = directory / "argv.txt"
    script = directory / "dot"
    script.write_text(
        "#!/bin/sh\n"
        f"printf '%s\\n' \"$@\" > '{log}'\n"
        'while [ "$#" -gt 0 ]; do if [ "$1" = "-o" ]; then echo rendered > "$2"; fi; shift; done\n',
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return log


@pytest.mark.skipif(os.name != "posix", reason="the stand-in dot is a shell script")
def test_plot_dot_graph_runs_the_dot_found_on_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = _install_fake_dot(bin_dir)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    target = tmp_path / "spaces and; echo injected.png"  # one argument only without a shell
    _, _, _, z = _small_graph()
    U.plot_dot_graph(z, to_file=str(target))
    assert target.read_text(encoding="utf-8") == "rendered\n"
    argv = log.read_text(encoding="utf-8").splitlines()
    assert argv[1:] == ["-T", "png", "-o", str(target)]


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_plot_dot_graph_with_real_graphviz_writes_an_image(tmp_path: Path) -> None:
    _, _, _, z = _small_graph()
    target = tmp_path / "graph.png"
    U.plot_dot_graph(z, to_file=str(target))
    assert target.read_bytes().startswith(b"\x89PNG")


# ---------------------------------------------------------------- shape helpers


def test_max_backward_shape_sets_the_reduced_axes_to_one() -> None:
    x = np.ones((2, 3, 4))
    assert U.max_backward_shape(x, None) == [1, 1, 1]
    assert U.max_backward_shape(x, 1) == [2, 1, 4]
    assert U.max_backward_shape(Variable(x), (0, -1)) == [1, 3, 1]


def test_window_size_arithmetic() -> None:
    assert U.get_conv_outsize(7, 3, 2, 1) == 4  # (7 + 2 - 3) // 2 + 1
    assert U.get_deconv_outsize(4, 3, 2, 1) == 7  # 2 * 3 + 3 - 2
    assert U.pair(3) == (3, 3) and U.pair((2, 5)) == (2, 5)
    with pytest.raises(TypeError):
        U.pair("ab")  # type: ignore[arg-type]


# ---------------------------------------------------------------- downloads


def test_show_progress_draws_a_bar_on_one_line() -> None:
    out = io.StringIO()
    U.show_progress(0, 100, 1000, file=out)
    U.show_progress(4, 100, 1000, file=out)
    U.show_progress(11, 100, 1000, file=out)  # past the end: capped at 100%
    U.show_progress(3, 100, -1, file=out)  # unknown size
    frames = out.getvalue().split("\r")[1:]
    assert frames[0] == "[" + "." * 30 + "]   0.00%"
    assert frames[1] == "[" + "#" * 12 + "." * 18 + "]  40.00%"
    assert frames[2] == "[" + "#" * 30 + "] 100.00%"
    assert frames[3] == "300 bytes"


def test_get_file_downloads_into_the_cache_dir_with_a_progress_bar(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(U, "cache_dir", str(tmp_path / "cache"))
    source = tmp_path / "weights.npz"
    source.write_bytes(b"x" * 150_000)
    path = U.get_file(source.as_uri())
    assert path == str(tmp_path / "cache" / "weights.npz")
    assert Path(path).read_bytes() == source.read_bytes()
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Downloading: weights.npz" in captured.err and "100.00%" in captured.err
    source.write_bytes(b"changed")
    assert Path(U.get_file(source.as_uri())).read_bytes() == b"x" * 150_000  # cached: not fetched again


class _Files(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def test_get_file_over_http_from_a_loopback_server(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    served = tmp_path / "served"
    served.mkdir()
    (served / "data.bin").write_bytes(bytes(range(256)) * 1000)
    handler = functools.partial(_Files, directory=str(served))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            url = f"http://127.0.0.1:{server.server_address[1]}/data.bin"
            path = U.get_file(url, "renamed.bin", root=tmp_path / "cache")
            with pytest.raises(urllib.error.HTTPError):
                U.get_file(url.replace("data", "missing"), root=tmp_path / "cache")
        finally:
            server.shutdown()
    assert Path(path).read_bytes() == (served / "data.bin").read_bytes()
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["renamed.bin"]  # no partial file left
    assert "100.00%" in capsys.readouterr().err


# ---------------------------------------------------------------- files written whole


def test_a_write_is_whole_or_leaves_the_previous_file(tmp_path: Path) -> None:
    """``dezero._files.atomic_write``, through which ``save_weights``, ``save_cache_npz``
    and ``get_file`` write: an interrupted write keeps the file that was there and
    leaves no temporary file; a complete one replaces it."""
    target = tmp_path / "weights.npz"
    target.write_bytes(b"previous")
    with pytest.raises(KeyboardInterrupt):
        with atomic_write(str(target), ".npz") as out:
            out.write(b"half of the new")
            raise KeyboardInterrupt
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["weights.npz"]
    with atomic_write(str(target), ".npz") as out:
        out.write(b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["weights.npz"]
