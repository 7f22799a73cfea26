"""Every property of the suite as a runnable check: ``run(name, impl)`` runs it
under fixed, derandomized settings (the ``ci`` profile's 100 examples, without
shrinking) and reports how it ended, after how many examples, and where the
exception that ended it came from.

A property *catches* a bug only through its oracle: its own named assertion
fails, or a ``pytest.raises`` of its own sees no error. An exception raised
inside the implementation (a shape check of its own, a NumPy error, a write to a
read-only array) only says that the implementation *crashed*: a realistic variant
of the same bug that computes wrong numbers instead of raising would pass that
property unless its oracle sees the numbers."""

from __future__ import annotations

import importlib
import pkgutil
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.errors import FlakyFailure, UnsatisfiedAssumption
from hypothesis.stateful import run_state_machine_as_test

import dezero
import strategies
import tests.properties
from strategies.catalogue.ops import CATALOGUE
from strategies.catalogue.ops_nn import NN_OPS
from strategies.graphs.kinks import KINKED
from strategies.implementation.handle import Implementation
from strategies.survey.capabilities import adopt, survey
from tests.properties import (
    test_bad_input,
    test_dropout_data,
    test_forward,
    test_gradients,
    test_higher_order,
    test_kinks,
    test_large_magnitudes,
    test_lifetime,
    test_lifetime_stateful,
    test_loss_shapes,
    test_metamorphic,
    test_non_mutation,
    test_recurrent,
    test_schedule,
    test_shapes_dtypes,
    test_threads,
    test_training,
)


def _import_every_module() -> None:
    """Import every module of the reference and of the strategies now.

    Hypothesis draws, now and then, a number or string written in the source of
    the (non-test) modules loaded so far; so a derandomized run would depend on
    which modules earlier runs happened to import. With all of them loaded first,
    a property draws the same examples whatever ran before it in this process.
    (Under pytest the root conftest.py counts too, so the examples may differ
    from those of ``python -m tests.selftest.report_mutants``.)
    """
    for package in (dezero, strategies):
        for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            importlib.import_module(module.name)


_import_every_module()

SELFTEST_SETTINGS = settings(
    max_examples=100,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    report_multiple_bugs=False,
    print_blob=False,
)

# name -> (the @given property, its fixed arguments besides impl and data)
PROPERTIES: dict[str, tuple[Any, dict[str, Any]]] = {
    "gradients": (test_gradients.test_gradients_match_complex_step, {"dtype": "float64"}),
    "gradients float32": (test_gradients.test_gradients_match_complex_step, {"dtype": "float32"}),
    "random projection": (test_gradients.test_random_projection_on_large_graphs, {}),
    "forward": (test_forward.test_every_value_matches_numpy, {"dtype": "float64"}),
    "forward float32": (test_forward.test_every_value_matches_numpy, {"dtype": "float32"}),
    "schedule": (test_schedule.test_each_function_runs_once_after_all_its_consumers, {}),
    "backward without a graph": (test_schedule.test_backward_without_a_graph_only_seeds, {}),
    "freed by refcount": (test_lifetime.test_dropping_the_output_frees_the_graph, {}),
    "outputs are weakrefs": (test_lifetime.test_function_outputs_are_weak_references, {}),
    "retain_grad=False": (test_lifetime.test_retain_grad_false_keeps_only_leaf_grads, {}),
    "retain_grad=True": (test_lifetime.test_retain_grad_true_keeps_correct_intermediate_grads, {}),
    "no_grad": (test_lifetime.test_no_grad_builds_no_graph_and_keeps_nothing, {}),
    "double backward": (test_higher_order.test_double_backward_matches_differences_of_first_grads, {}),
    "Hessian symmetry": (test_higher_order.test_hessian_is_symmetric, {}),
    "no graph without create_graph": (test_higher_order.test_grads_carry_no_graph_without_create_graph, {}),
    "backward twice": (test_metamorphic.test_two_backward_passes_accumulate_twice, {}),
    "shared == recomputed": (test_metamorphic.test_shared_subexpression_equals_recomputation, {}),
    "x + x == x * 2": (test_metamorphic.test_x_plus_x_equals_x_times_2, {}),
    "linear in cotangent": (test_metamorphic.test_grads_are_linear_in_the_cotangent, {}),
    "shapes and dtypes": (test_shapes_dtypes.test_grads_have_their_variables_shape_and_dtype, {"dtype": "float64"}),
    "shapes and dtypes float32": (
        test_shapes_dtypes.test_grads_have_their_variables_shape_and_dtype, {"dtype": "float32"}),
    "grad storage": (test_shapes_dtypes.test_grads_own_their_memory, {}),
    "bad seed": (test_bad_input.test_seed_gradient_of_the_wrong_shape_raises_value_error, {}),
    "kinks in graphs": (test_kinks.test_gradients_at_kinks_in_random_graphs, {}),
    **{
        f"kinks alone: {name}": (
            test_kinks.test_each_op_at_its_kinks_lies_in_the_generalized_gradient, {"op_name": name, "dtype": "float64"})
        for name in KINKED
    },
    "non-mutation: graphs": (test_non_mutation.test_graphs_change_nothing_they_were_given, {}),
    "loss shapes: mean_squared_error": (test_loss_shapes.test_mean_squared_error_of_operands_that_broadcast, {}),
    "loss shapes: softmax_cross_entropy": (test_loss_shapes.test_softmax_cross_entropy_with_labels_n_or_n_by_1, {}),
    **{
        f"large magnitudes: {name}": (
            test_large_magnitudes.test_large_inputs_give_finite_accurate_values_and_gradients, {"name": name})
        for name in test_large_magnitudes.CASES
    },
    **{
        f"loss shapes: {loss}": (test_loss_shapes.test_targets_of_each_shape, {"loss": loss})
        for loss in sorted(test_loss_shapes.TARGET_LOSSES)
    },
    **{
        f"op alone: {op.name}": (test_gradients.test_each_op_alone_matches_complex_step, {"op_name": op.name})
        for op in CATALOGUE
    },
    **{
        f"op alone float32: {op.name}": (test_gradients.test_each_elementwise_op_alone_in_float32, {"op_name": op.name})
        for op in CATALOGUE if op.family == "elementwise"
    },
    **{
        f"non-mutation op alone: {op.name}": (
            test_non_mutation.test_each_op_alone_changes_nothing_it_was_given, {"op_name": op.name})
        for op in CATALOGUE
    },
    **{
        f"bad input: {case}": (test_bad_input.test_bad_arguments_raise_value_error_and_change_nothing, {"case": case})
        for case in sorted(test_bad_input.BAD_CALLS)
    },
    **{
        f"op alone forward: {op.name}": (test_forward.test_each_op_alone_matches_numpy, {"op_name": op.name})
        for op in NN_OPS
    },
    **{
        f"op alone twice: {op.name}": (
            test_higher_order.test_each_op_alone_double_backward_matches_differences, {"op_name": op.name})
        for op in NN_OPS if op.twice
    },
    **{
        f"optimizer: {name}": (test_training.test_optimizer_updates_match_the_closed_form, {"name": name})
        for name in sorted(test_training.OPTIMIZERS)
    },
    **{
        f"hook: {hook}": (test_training.test_hooks_change_gradients_as_their_formula_says, {"hook": hook})
        for hook in test_training.HOOKS
    },
    "save/load round trip": (test_training.test_save_then_load_restores_every_parameter_exactly, {}),
    "parameter order across runs": (test_training.test_parameter_order_is_the_same_under_every_hash_seed, {}),
    "grad mode per thread": (test_threads.test_no_grad_in_one_thread_leaves_other_threads_building_graphs, {}),
    **{
        f"recurrent: {kind}": (test_recurrent.test_unrolled_sequence_matches_the_recurrence, {"kind": kind})
        for kind in test_recurrent.GATES
    },
    **{
        f"truncated backprop: {kind}": (test_recurrent.test_unchain_backward_truncates_backpropagation, {"kind": kind})
        for kind in test_recurrent.GATES
    },
    "SeqDataLoader batches": (test_recurrent.test_seq_data_loader_batches_walk_the_sequence, {}),
    "dropout test mode": (test_dropout_data.test_dropout_in_test_mode_is_the_identity, {}),
    "dropout mask and scale": (test_dropout_data.test_dropout_backward_uses_the_forward_mask_and_scale, {}),
    "dropout mean": (test_dropout_data.test_dropout_preserves_the_mean, {}),
    **{
        f"datasets never re-seed: {name}": (test_dropout_data.test_datasets_never_reseed_the_global_generator,
                                            {"name": name})
        for name in test_dropout_data.DATASETS
    },
    **{
        f"loader draws: {kind}": (test_dropout_data.test_loaders_draw_from_the_global_generator_as_the_book_does,
                                  {"kind": kind})
        for kind in test_dropout_data.LOADERS
    },
}
STATEFUL = "stateful lifetime"
NAMES = (*PROPERTIES, STATEFUL)


class Kind(Enum):
    """How a property ended on an implementation."""

    CAUGHT = "caught by oracle"  # the property's own check failed: its named assertion, or DID NOT RAISE
    CRASHED = "crashed"  # an exception from anywhere else (mostly raised inside the implementation)
    SURVIVED = "survived"  # every example passed


@dataclass(frozen=True)
class Outcome:
    kind: Kind
    examples: int  # examples run until the first failure, or in all
    error: str = ""  # the exception's type and the first line of its message
    # Whose check or code ended the run: "oracle [name]", "oracle pytest.raises",
    # "implementation", "suite" (its code ran into an error no oracle names) or
    # "elsewhere"; and where: "dezero/core.py:600 in _conform".
    source: str = ""
    where: str = ""

    @property
    def caught(self) -> bool:
        """Failed through the property's oracle (not by a crash)."""
        return self.kind is Kind.CAUGHT

    @property
    def failed(self) -> bool:
        """Failed in any way: caught, or crashed."""
        return self.kind is not Kind.SURVIVED

    def describe(self) -> str:
        if self.kind is Kind.SURVIVED:
            return f"survived {self.examples} examples"
        return f"{self.kind.value} after {self.examples} examples: {self.source} at {self.where}: {self.error}"


# A property fails by raising: an assertion, any error, or pytest.fail (which
# pytest.raises uses when the expected error does not come).
FAILURES = (Exception, pytest.fail.Exception)

# The suite's own code: the strategies, and the properties with their helpers.
SUITE_FOLDERS = (Path(strategies.__file__).resolve().parent, Path(tests.properties.__file__).resolve().parents[1])
REPOSITORY = SUITE_FOLDERS[0].parent
# The message pytest.raises fails with when the expected error does not come.
NOT_RAISED = "DID NOT RAISE"


def _is_suite_frame(frame: FrameType) -> bool:
    path = Path(frame.f_code.co_filename)
    return path.is_absolute() and any(path.resolve().is_relative_to(folder) for folder in SUITE_FOLDERS)


def _is_implementation_frame(frame: FrameType, impl: Implementation) -> bool:
    """A frame of the implementation's code: its module belongs to the package
    under test or to one of its homes (a mutant's recompiled function runs in its
    module's namespace, so it counts as the module's)."""
    packages = {module.__name__.partition(".")[0] for module in (impl.package, *impl.homes)}
    return str(frame.f_globals.get("__name__", "")).partition(".")[0] in packages


def _where(frame: FrameType, lineno: int) -> str:
    """``file:line in function``, the file relative to the repository (or to
    site-packages); a mutant's recompiled function as ``module.function (mutated)``."""
    code = frame.f_code
    if code.co_filename.startswith("<mutant "):
        return f"{frame.f_globals.get('__name__', '?')}.{code.co_name} (mutated):{lineno}"
    path = Path(code.co_filename)
    if path.is_absolute() and path.resolve().is_relative_to(REPOSITORY):
        path = path.resolve().relative_to(REPOSITORY)
    elif "site-packages" in path.parts:
        path = Path(*path.parts[path.parts.index("site-packages") + 1 :])
    return f"{path}:{lineno} in {code.co_name}"


def _raised_in(exc: BaseException, impl: Implementation) -> tuple[str, str]:
    """Whose code raised ``exc`` ("suite", "implementation" or "elsewhere"), and
    where: the innermost frame of its traceback that belongs to the suite or to the
    implementation. NumPy's, Hypothesis's and pytest's own frames are skipped, so
    an error NumPy raises for the implementation counts as the implementation's."""
    owner, where, innermost = "", "", ""
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        innermost = _where(frame, lineno)
        if _is_suite_frame(frame):
            owner, where = "suite", innermost
        elif _is_implementation_frame(frame, impl):
            owner, where = "implementation", innermost
    return (owner, where) if owner else ("elsewhere", innermost)


def classify(exc: BaseException, impl: Implementation) -> tuple[Kind, str, str]:
    """Caught by the oracle, or crashed; whose check or code raised, and where.

    Caught: an AssertionError raised by the suite's own code whose message starts
    with a bracketed oracle name, or pytest.raises's DID NOT RAISE in the suite's
    code. Everything else crashed: an error raised inside the implementation (also
    an AssertionError of its own checks, or NumPy's error for it), and an error
    the suite's code ran into without an oracle saying so (for one raised ``from``
    another, where the first one started).
    """
    if isinstance(exc, FlakyFailure) and exc.exceptions:  # failed once, passed on the replay
        return classify(exc.exceptions[0], impl)
    owner, where = _raised_in(exc, impl)
    message = str(exc)
    if owner == "suite":
        if isinstance(exc, AssertionError) and message.startswith("[") and "]" in message:
            return Kind.CAUGHT, f"oracle {message[: message.index(']') + 1]}", where
        if isinstance(exc, pytest.fail.Exception) and message.startswith(NOT_RAISED):
            return Kind.CAUGHT, "oracle pytest.raises", where
    cause = exc.__cause__
    while cause is not None:
        owner, where = _raised_in(cause, impl)
        cause = cause.__cause__
    return Kind.CRASHED, owner, where


def _ended(exc: BaseException, examples: int, impl: Implementation) -> Outcome:
    kind, source, where = classify(exc, impl)
    error = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
    return Outcome(kind, examples, error, source, where)


def _counted(check: Callable[[], None], counter: list[int], first_failure: list[int]) -> None:
    counter[0] += 1
    try:
        check()
    except UnsatisfiedAssumption:
        raise
    except FAILURES:
        if not first_failure:
            first_failure.append(counter[0])
        raise


def run(name: str, impl: Implementation, seed: int | None = None) -> Outcome:
    """Run the property ``name`` on ``impl`` (derandomized, or from ``seed``).

    Random graphs use every op ``impl`` has, also one that fails alone: a run of
    the suite leaves such an op out of its graphs (its own properties report it),
    but here the question is what each property's oracle can catch.
    """
    if "capabilities" not in impl.memo:
        adopt(impl, survey(impl, screen_ops=False))
    chosen = SELFTEST_SETTINGS if seed is None else settings(SELFTEST_SETTINGS, derandomize=False)
    counter: list[int] = [0]
    first_failure: list[int] = []
    if name == STATEFUL:
        base = test_lifetime_stateful.GraphLifetime

        class Counted(base):  # type: ignore[misc,valid-type]  # defined per run
            def __init__(self) -> None:
                counter[0] += 1
                super().__init__()

        Counted.impl = impl
        try:
            run_state_machine_as_test(Counted, settings=chosen)
        except FAILURES as exc:
            return _ended(exc, counter[0], impl)
        return Outcome(Kind.SURVIVED, counter[0])

    prop, fixed = PROPERTIES[name]
    inner = prop.hypothesis.inner_test

    def check(data: st.DataObject) -> None:
        _counted(lambda: inner(impl=impl, data=data, **fixed), counter, first_failure)

    test = chosen(given(data=st.data())(check))
    try:
        (test if seed is None else hypothesis_seed(seed)(test))()
    except FAILURES as exc:
        return _ended(exc, first_failure[0] if first_failure else counter[0], impl)
    return Outcome(Kind.SURVIVED, counter[0])
