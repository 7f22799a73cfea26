"""The package: public names, and ``import dezero`` needing NumPy only."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import textwrap
from pathlib import Path

import dezero
import dezero.functions as F
import dezero.utils

ROOT = Path(__file__).resolve().parents[2]

BOOK_FUNCTIONS = """
    sin cos tanh exp log pow add sub rsub mul div rdiv neg reshape transpose expand_dims
    flatten get_item sum sum_to broadcast_to average mean max min clip matmul linear
    sigmoid relu leaky_relu softmax log_softmax mean_squared_error softmax_cross_entropy
    sigmoid_cross_entropy binary_cross_entropy accuracy dropout embed_id sqrt abs square
""".split()

UTILS = """
    sum_to reshape_sum_backward logsumexp max_backward_shape numerical_grad gradient_check
    array_allclose array_equal get_dot_graph plot_dot_graph cache_dir show_progress get_file
    get_conv_outsize get_deconv_outsize pair
""".split()


def test_public_names_of_the_package() -> None:
    for name in ("Variable", "Parameter", "Function", "Config", "using_config", "no_grad",
                 "test_mode", "as_array", "as_variable", "setup_variable"):  # fmt: skip
        assert name in dezero.__all__
        assert callable(getattr(dezero, name))
    dezero.setup_variable()  # the book's hook is accepted and does nothing harmful


def test_every_function_of_the_book_is_in_dezero_functions() -> None:
    for name in BOOK_FUNCTIONS:
        assert callable(getattr(F, name)), name
        assert name in F.__all__, name


def test_every_util_of_the_book_is_in_dezero_utils() -> None:
    for name in UTILS:
        assert name == "cache_dir" or callable(getattr(dezero.utils, name)), name
    assert sorted(dezero.utils.__all__) == sorted(UTILS)


_IMPORT_WITH_BLOCKER = textwrap.dedent(
    """
    import site
    import sys
    import sysconfig

    BLOCKED = {"hypothesis", "pytest", "_pytest", "scipy", "xdist", "mypy", "strategies"}

    class Blocker:
        def find_spec(self, name, path=None, target=None):
            if name.partition(".")[0] in BLOCKED:
                raise ImportError(f"blocked import of {name}")
            return None

    sys.meta_path.insert(0, Blocker())
    before = set(sys.modules)
    import dezero
    import dezero.functions
    import dezero.utils
    stdlib = (sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["platstdlib"])
    site_packages = tuple(site.getsitepackages())

    def third_party(file):
        return not file.startswith(stdlib) or file.startswith(site_packages)

    packages = set()
    for name in set(sys.modules) - before:
        file = getattr(sys.modules[name], "__file__", None)  # None: built into Python or NumPy's C code
        if file is not None and third_party(file):
            packages.add(name.partition(".")[0])
    print(" ".join(sorted(packages)))
    """
)


def test_import_dezero_needs_numpy_only() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_WITH_BLOCKER], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert set(result.stdout.split()) == {"dezero", "numpy"}  # equality: the check sees numpy


def test_the_only_runtime_dependency_is_numpy() -> None:
    (distribution,) = set(importlib.metadata.packages_distributions()["dezero"])
    assert distribution != "dezero"  # that name belongs to the original on PyPI
    requirements = importlib.metadata.requires(distribution) or []
    runtime = [r for r in requirements if "extra ==" not in r]
    assert [r.split(">")[0].split("=")[0].strip() for r in runtime] == ["numpy"]
    assert (ROOT / "dezero" / "py.typed").is_file()
