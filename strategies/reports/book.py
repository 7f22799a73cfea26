"""What the book's own DeZero fails, stage by stage, and how: facts found by running
the suite on the book's step programs and final package (``docs/conformance/``),
kept as data so that a learner's report can say which failures the book has too.

A fact names a property, the book's steps where its code fails it, why, and how the
failure shows (``fails_with``: a pattern of the exception's type and message, or of
the oracle's verdict and the culprit Function). A learner's failure is tagged "the
book's DeZero fails this too" only when it is at such a stage *and* fails that way;
a failure of the same property that fails otherwise is the learner's own, with the
book's known failure mentioned beside it. No code of the book is here: only which
property fails, at which steps, why and how.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from strategies.survey.capabilities import LEVEL_NAMES, first_step

__all__ = ["BOOK_FAILURES", "BookFailure", "BookVerdict", "LAST_STEP", "PACKAGE", "book_facts", "book_verdict", "inherited", "stage"]

LAST_STEP = 60


@dataclass(frozen=True)
class BookFailure:
    """The book's code fails ``prop`` at steps ``first`` to ``last``, because
    ``reason``; its failure's own account (message, then culprit) matches the
    regular expression ``fails_with``."""

    prop: str  # a test id, or its start: "test_metamorphic.py::test_two_backward_passes"
    first: int
    last: int
    reason: str
    fails_with: str
    program: str = ""  # only for a program file of this name ("step09.py")
    culprit: str = ""  # only when the failure's culprit names this ("F.sigmoid_cross_entropy")

    def applies(self, nodeid: str, program: str, culprit: str, first: int, last: int) -> bool:
        """The fact is about this property, at a stage overlapping ``first``-``last``."""
        return (self.prop in nodeid and self.program in ("", program) and self.culprit in culprit
                and self.first <= last and first <= self.last)

    def fails_so(self, account: str) -> bool:
        """A failure whose account (``Type: message``, then the culprit) is this one."""
        return re.search(self.fails_with, account, re.S) is not None


@dataclass(frozen=True)
class BookVerdict:
    """What the book says about one failure: ``reason``, why the book's code fails
    the same property at this stage; ``same_way``, whether this failure is that one."""

    reason: str
    same_way: bool


def stage(levels: Iterable[str]) -> tuple[int, int]:
    """The book's steps an implementation with these levels corresponds to: from the
    step where its highest level begins to the step before the next level."""
    present = [level for level in LEVEL_NAMES if level in set(levels)]
    if not present:
        return (1, 1)
    top = LEVEL_NAMES.index(present[-1])
    last = first_step(LEVEL_NAMES[top + 1]) - 1 if top + 1 < len(LEVEL_NAMES) else LAST_STEP
    return first_step(present[-1]), max(last, first_step(present[-1]))


def book_facts(nodeid: str, levels: Iterable[str], program: str = "", culprit: str = "") -> list[BookFailure]:
    """The facts about the property ``nodeid`` at this stage."""
    first, last = stage(levels)
    return [f for f in BOOK_FAILURES if f.applies(nodeid, program, culprit, first, last)]


def book_verdict(nodeid: str, levels: Iterable[str], account: str, program: str = "",
                 culprit: str = "") -> BookVerdict | None:
    """What the book's DeZero at this stage has to do with the failure of ``nodeid``
    whose account (``Type: message``, its culprit) is ``account``: the fact it
    fails as, or else the first fact about the same property (``same_way`` False),
    or None. ``program``: the file name of an implementation that is one program
    file; ``culprit``: what the failure's culprit analysis found."""
    facts = book_facts(nodeid, levels, program, culprit)
    for fact in facts:
        if fact.fails_so(account):
            return BookVerdict(fact.reason, True)
    # A fact scoped by its culprit speaks only of failures with that culprit.
    about_property = [f for f in facts if not f.culprit]
    return BookVerdict(about_property[0].reason, False) if about_property else None


def inherited(nodeid: str, levels: Iterable[str], account: str, program: str = "", culprit: str = "") -> str:
    """Why the book's DeZero fails ``nodeid`` the same way at this stage, or ""."""
    verdict = book_verdict(nodeid, levels, account, program, culprit)
    return verdict.reason if verdict is not None and verdict.same_way else ""


PACKAGE = 23  # from step 23 on, the book's programs run on its dezero package

# Reasons shared by several rows.
_IN_PLACE = (
    "the hooks update param.grad.data in place: when one Add gave two parameters the same gradient "
    "object, both are updated twice"
)
_UNUSED = (
    "this graph has a Function with an unused output: backward hands it None"
)
_FLOAT32 = (
    "under NumPy 2, as_array makes a Python number a float64 array, which promotes float32 "
    "(NumPy 1, the book's, kept float32)"
)
_REDUCE = (
    "max and min reshape the gradient wrongly in backward for some axes (negative, or a tuple)"
)
_MATMUL = (
    "matmul is np.dot on matrices: a 1-D operand or a batch of matrices gets a gradient of the "
    "wrong shape"
)
_SIGMOID_CE = (
    "sigmoid_cross_entropy clips sigmoid(x) to [1e-15, 1], so below about x = -34.5 its loss stops "
    "growing and its gradient is zero, and computes log(1 - sigmoid(x)), which is log(0) from about "
    "x = 37: an infinite loss and NaN gradients"
)
_LEAKY_RELU = (
    "leaky_relu's backward assigns into its mask, a NumPy scalar for a 0-d input: TypeError"
)
_CONV = (
    "Conv2DGradW takes its output's weakref for the Variable: no double backward through "
    "convolution"
)

# How a failure reads, for the patterns below.
_ENGINE = r"the engine combines them wrongly"
_NONE_GRAD = (r"'NoneType' object has no attribute 'grad'|unsupported operand type\(s\) for \+: 'NoneType'"
              r"|handed the suite's two-output Function P\.fork \([^\n]*None")
_NDIM_ASSERT = r"AssertionError at [^\n]*: assert x\.ndim == 2 or x\.ndim == 4"
_ITEM_ASSIGNMENT = r"TypeError: 'numpy\.float(32|64)' object does not support item assignment"
_FLOAT32_PROMOTED = r"dtype float64"
# A shape that is not a matrix's: (), (n,), or three or more sides.
_NOT_2D = r"\((?:|\d+,|\d+, ?\d+, ?\d+(?:, ?\d+)*)\)"
_MATMUL_SHAPES = (rf"MatMul\.backward[^\n]*has shape {_NOT_2D}|MatMul\.backward[^\n]*has shape[^\n]*expected {_NOT_2D}"
                  rf"|shapes {_NOT_2D} and|and {_NOT_2D} not aligned"
                  rf"|alone vs complex step\] leaf v\d+: gradient of shape ({_NOT_2D}|[^\n]*expected {_NOT_2D})"
                  rf"|MatMul\.forward[^\n]*value has shape[^\n]*expected {_NOT_2D}"
                  rf"|the output has shape [^\n]*the NumPy reference {_NOT_2D}"
                  rf"|could not be broadcast together with shapes [^\n]*{_NOT_2D}")
_WEAKREF = r"TypeError: <class 'weakref\.ReferenceType'> is not supported"

# From the runs recorded in docs/conformance/book.md: the property (a test id or
# its start), the book's steps where its code fails it, why, and how it fails.
BOOK_FAILURES: tuple[BookFailure, ...] = (
    # -- the engine, stage by stage
    BookFailure("test_bad_input.py::test_seed_gradient_of_the_wrong_shape", 7, LAST_STEP,
                "backward takes a seed gradient of any shape as it is: it broadcasts silently or fails later",
                r"DID NOT RAISE ValueError|ValueError: (cannot broadcast|operands could not be broadcast)"
                r"|\[bad seed\] a leaf received a gradient"),
    BookFailure("test_bad_input.py::test_variable_rejects_data_that_is_not_an_ndarray", 1, 8,
                "Variable checks that its data is an ndarray from step 9 on", r"DID NOT RAISE TypeError"),
    BookFailure("test_metamorphic.py::test_two_backward_passes_accumulate_twice", 7, 17,
                "steps 7-13 assign x.grad instead of adding to it (step 14 adds), and steps 14-17 keep "
                "intermediate gradients, which the next backward adds again (step 18's retain_grad clears them)",
                _ENGINE),
    BookFailure("test_gradients.py::test_gradients_match_complex_step", 7, 15,
                "before step 16 (generations) a Function may run before every consumer of its output has "
                "given its gradient, and before step 14 gradients are assigned, not added: wrong gradients "
                "wherever a value feeds two paths", _ENGINE),
    BookFailure("test_gradients.py::test_random_projection_on_large_graphs", 7, 15,
                "wrong gradients wherever a value feeds two paths before step 16 (see the gradient property)",
                _ENGINE),
    BookFailure("test_metamorphic.py::test_shared_subexpression_equals_recomputation", 7, 15,
                "before step 16 (generations) a shared value's creator may run before all its consumers", _ENGINE),
    BookFailure("test_gradients.py::test_each_op_alone_matches_complex_step[add_function]", 11, 12,
                "at steps 11-12 Function takes a list of inputs while Variable.backward still reads f.input: "
                "backward through it fails until step 13", r"AttributeError: '\w+' object has no attribute 'input'"),
    BookFailure("test_gradients.py::test_each_op_alone_matches_complex_step[fork]", 11, LAST_STEP,
                "backward hands None to a Function for an output that got no gradient, or crashes on an output "
                "that was dropped (and at steps 11-12 it cannot go through Functions of several inputs at all)",
                r"object has no attribute 'input'|" + _NONE_GRAD),
    *(BookFailure(f"test_vectors.py::test_committed_vector[case-00{n}]", 13, LAST_STEP,
                  "this graph has a Function with an unused output: backward hands it None", _NONE_GRAD)
      for n in ("08", "15", "16", "17", "21")),
    BookFailure("test_schedule.py::test_backward_without_a_graph_only_seeds", 18, LAST_STEP,
                "backward fails on a Variable without a creator (a leaf, or an output made under no_grad): "
                "it looks up None.generation", r"'NoneType' object has no attribute 'generation'"),
    BookFailure("test_threads.py::test_no_grad_in_one_thread_leaves_other_threads_building_graphs", 18, LAST_STEP,
                "the grad mode is Config.enable_backprop, a class attribute shared by every thread: no_grad() "
                "in one thread turns graph building off in all",
                r"\[grad mode per thread\] while thread A was inside no_grad\(\), thread B built the graph without"),
    BookFailure("test_non_mutation.py::test_each_op_alone_changes_nothing_it_was_given[fork]", 13, LAST_STEP,
                "this graph has a Function with an unused output: backward hands it None",
                r"object has no attribute 'input'|" + _NONE_GRAD),
    BookFailure("test_non_mutation.py::test_each_op_alone_changes_nothing_it_was_given[add_function]", 11, 12,
                "at steps 11-12 Function takes a list of inputs while Variable.backward still reads f.input: "
                "backward through it fails until step 13", r"AttributeError: '\w+' object has no attribute 'input'"),
    # -- the book's final package
    BookFailure("test_kinks.py::test_each_op_at_its_kinks_lies_in_the_generalized_gradient[max-", PACKAGE,
                LAST_STEP, "max gives every tied maximum the whole upstream gradient (gy times the mask x == y), "
                "so tied elements together get a multiple of it", r"every tied extreme got all of it"),
    BookFailure("test_kinks.py::test_each_op_at_its_kinks_lies_in_the_generalized_gradient[min-", PACKAGE,
                LAST_STEP, "min gives every tied minimum the whole upstream gradient (gy times the mask x == y), "
                "so tied elements together get a multiple of it", r"every tied extreme got all of it"),
    BookFailure("test_large_magnitudes.py::test_large_inputs_give_finite_accurate_values_and_gradients"
                "[sigmoid_cross_entropy]", PACKAGE, LAST_STEP, _SIGMOID_CE,
                r"\[large magnitudes\] float(32|64) sigmoid_cross_entropy (value|gradient)"),
    BookFailure("test_loss_shapes.py::test_mean_squared_error_of_operands_that_broadcast", PACKAGE, LAST_STEP,
                "mean_squared_error's backward returns both gradients in the broadcast shape of x0 - x1, not "
                "each operand's", r"\[mean_squared_error shapes\][^\n]*the gradient of the (first|second) operand "
                r"has shape"),
    BookFailure("test_loss_shapes.py::test_softmax_cross_entropy_with_labels_n_or_n_by_1", PACKAGE, LAST_STEP,
                "softmax_cross_entropy's backward one-hot encodes labels of shape (N, 1) as (N, 1, C), so the "
                "gradient broadcasts to (N, N, C)",
                r"\[softmax_cross_entropy labels\][^\n]*the gradient of the first operand has shape"),
    BookFailure("test_dropout_data.py::test_datasets_never_reseed_the_global_generator[get_spiral]", PACKAGE,
                LAST_STEP, "get_spiral calls np.random.seed (1984 for training data, 2020 for test data): every "
                "random number a program draws after it repeats from run to run",
                r"\[datasets leave the global generator alone\]"),
    BookFailure("test_dropout_data.py::test_datasets_never_reseed_the_global_generator[Spiral]", PACKAGE,
                LAST_STEP, "Spiral makes its data with get_spiral, which calls np.random.seed",
                r"\[datasets leave the global generator alone\]"),
    *(BookFailure(f"test_recurrent.py::{prop}[RNN]", PACKAGE, LAST_STEP,
                  "RNN makes h2h with in_size=in_size instead of hidden_size: with in_size != hidden_size its "
                  "second step fails (h2h.W has the wrong shape)",
                  r"\[recurrent parameter shapes\] RNN\([^\n]*made h2h\.W of shape")
      for prop in ("test_unrolled_sequence_matches_the_recurrence", "test_unchain_backward_truncates_backpropagation")),
    BookFailure("test_lifetime_stateful.py::test_graph_lifetime_state_machine", 18, LAST_STEP,
                "the state machine calls backward on an output made under no_grad, which has no creator: "
                "the book looks up None.generation", r"'NoneType' object has no attribute 'generation'"),
    BookFailure("test_shapes_dtypes.py::test_grads_own_their_memory", PACKAGE, LAST_STEP,
                "one gradient object is stored in several variables (Add.backward returns gy twice), so an "
                "in-place update of one changes the other", r"\[grad storage\] the grads of v\d+ and v\d+ share memory"),
    BookFailure("test_shapes_dtypes.py::test_grads_own_their_memory", PACKAGE, LAST_STEP,
                "a gradient can be a read-only view: sum's backward stores np.broadcast_to's result as it is",
                r"\[grad storage\] the grad of v\d+ is read-only"),
    BookFailure("test_forward.py::test_every_value_matches_numpy[float32]", PACKAGE, LAST_STEP, _FLOAT32,
                _FLOAT32_PROMOTED),
    BookFailure("test_shapes_dtypes.py::test_grads_have_their_variables_shape_and_dtype[float32]", PACKAGE,
                LAST_STEP, _FLOAT32, r"\[dtype\] grad of v\d+ has dtype float64, v\d+ has float32"),
    BookFailure("sum_to an incompatible shape", PACKAGE, LAST_STEP,
                "sum_to to a shape that does not broadcast returns a wrong shape instead of raising",
                r"DID NOT RAISE ValueError"),
    BookFailure("test_implementation.py::test_program_runs_to_its_end", 9, 9,
                "the book's step 9 ends with Variable(1.0) on purpose, to show the TypeError",
                r"step09\.py line \d+: TypeError: <class 'float'> is not supported", "step09.py"),
    *(BookFailure("test_implementation.py::test_program_runs_to_its_end", n, n,
                  "after training, the program calls float() on a (1, 1) array, which NumPy 2 refuses (NumPy 1, "
                  "the book's, allowed it)", r"TypeError: only 0-dimensional arrays can be converted to Python "
                  r"scalars", f"step{n}.py") for n in (59, 60)),
    BookFailure("test_training.py::test_parameter_order_is_the_same_under_every_hash_seed", PACKAGE, LAST_STEP,
                "Layer keeps its parameter names in a set: params() order, and with it the order of updates and "
                "of weight files, changes with PYTHONHASHSEED", r"\[parameter order\][^\n]*params\(\) order differs"),
    *(BookFailure(f"test_hooks_change_gradients_as_their_formula_says[{hook}]", PACKAGE, LAST_STEP, _IN_PLACE,
                  r"were given one gradient object") for hook in ("WeightDecay", "ClipGrad")),
    BookFailure("test_hooks_change_gradients_as_their_formula_says[FreezeParam]", PACKAGE, LAST_STEP,
                "the optimizer picks the parameters that have a gradient before the hooks run, so the None "
                "gradient FreezeParam gives a frozen parameter reaches update_one (AttributeError)",
                r"AttributeError: 'NoneType' object has no attribute 'data'"),
    BookFailure("test_", PACKAGE, LAST_STEP, _SIGMOID_CE, r"F\.sigmoid_cross_entropy", culprit="F.sigmoid_cross_entropy"),
    # -- the book's functions, alone
    BookFailure("[leaky_relu", PACKAGE, LAST_STEP, _LEAKY_RELU, _ITEM_ASSIGNMENT),
    *(BookFailure(f"[{op}", PACKAGE, LAST_STEP, _REDUCE, r"ValueError: cannot reshape array of size \d+ into shape")
      for op in ("max]", "min]", "max-", "min-")),
    BookFailure("[matmul]", PACKAGE, LAST_STEP, _MATMUL, _MATMUL_SHAPES),
    BookFailure("[matmul_batch]", PACKAGE, LAST_STEP, _MATMUL, _MATMUL_SHAPES),
    BookFailure("[expand_dims]", PACKAGE, LAST_STEP,
                "expand_dims inserts a negative axis as list.insert does, not as NumPy does: another shape, "
                "silently", r"F\.expand_dims\(v\d+, -\d+\)\): value has shape"),
    BookFailure("[pooling]", PACKAGE, LAST_STEP,
                "max pooling pads with zeros, so the padding wins windows of negative values",
                r"Pooling\.(forward|backward) \(v\d+ = F\.pooling\([^\n]*pad=\(?[\d, ]*[1-9]"),
    BookFailure("[average_pooling]", PACKAGE, LAST_STEP,
                "col2im fails (IndexError) in backward for some kernels and paddings (a kernel that is not square)",
                r"IndexError: index \d+ is out of bounds for axis \d+ with size \d+"),
    *(BookFailure(f"[{op}]", PACKAGE, LAST_STEP, "batch_norm takes 2-D or 4-D input only (a bare assert)",
                  _NDIM_ASSERT) for op in ("layer_batch_norm", "batch_norm", "batch_norm_test")),
    *(BookFailure(f"test_each_op_alone_double_backward_matches_differences[{op}]", PACKAGE, LAST_STEP,
                  "batch_norm's backward multiplies by inv_std, an array kept from the forward pass: differentiated "
                  "again, the gradient misses inv_std's own dependence on x",
                  r"(BatchNorm|BatchNorm2d)\.backward[^\n]*differentiated again") for op in ("layer_batch_norm", "batch_norm")),
    *(BookFailure(f"test_each_op_alone_double_backward_matches_differences[{op}]", PACKAGE, LAST_STEP, _CONV,
                  _WEAKREF) for op in ("conv2d", "conv2d_nobias", "deconv2d", "layer_conv2d", "layer_deconv2d")),
)
