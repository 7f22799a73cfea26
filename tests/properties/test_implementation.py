"""The implementation loads, and its parts import: a broken part is a failure of
its own, naming the module, the exception and the known fix, never an absence.

A program file (the book's ``step09.py``) is run statement by statement, so that
its definitions survive an error in its demo code; that error is a failure here.
"""

from __future__ import annotations

import pytest

from strategies.implementation.handle import Implementation, ImplementationError
from strategies.plugin.session import SuiteRun

# The modules of the book's final DeZero.
MODULES = ("core", "core_simple", "cuda", "dataloaders", "datasets", "functions", "functions_conv", "layers",
           "models", "optimizers", "transforms", "utils")


def test_implementation_loads(suite: SuiteRun) -> None:
    if suite.load_error is not None:
        pytest.fail(f"the implementation did not load: {suite.load_error}", pytrace=False)


def test_program_runs_to_its_end(impl: Implementation) -> None:
    if not impl.origin.endswith(".py"):
        pytest.skip("not applicable: not a program file")
    errors = [f for f in impl.findings if f.kind == "program"]
    offline = [f for f in impl.findings if f.kind == "offline"]
    if offline:  # the demo could not run here: no verdict on it, whatever followed
        pytest.skip(f"not applicable: the program's demo downloads data and there is no network here ({offline[0]})"
                    + "".join(f"; then at {f}" for f in errors))
    if errors:
        pytest.fail(f"the program's own code raised at {errors[0]} (its definitions before and after were kept)"
                    + "".join(f"; and at {f}" for f in errors[1:]), pytrace=False)


@pytest.mark.parametrize("module", MODULES)
def test_module_imports(impl: Implementation, module: str) -> None:
    try:
        impl.submodule(module)
    except ImplementationError:
        broken = impl.broken_modules.get(module)
        if broken is not None:
            pytest.fail(str(broken), pytrace=False)
        pytest.skip(f"not applicable: the implementation has no {module} module")
