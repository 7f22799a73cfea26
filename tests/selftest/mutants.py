"""Deliberately broken implementations: realistic one-line bugs in the reference.

A :class:`Mutant` names a function or method of the reference, a snippet of its
source and the replacement. :func:`applied` swaps the mutated function in for the
duration of a ``with`` block (recompiling its source with the change) and puts the
original back afterwards. If the reference's source changes so that a snippet no
longer occurs exactly once, :func:`applied` says so instead of testing nothing.

A mutant counts as caught only when its property's oracle fails on it; one that
only makes the reference itself raise is "crashed" (``tests.selftest.properties``),
and has a non-crashing twin that an oracle catches.
"""

from __future__ import annotations
import __future__

import contextlib
import importlib
import inspect
import os
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Mutant:
    name: str
    kind: str  # "engine" or "rule"
    bug: str  # the bug, in words
    target: str  # "module:attribute" or "module:Class.method"
    old: str
    new: str
    caught_by: str  # the property whose oracle must catch it (tests.selftest.properties)
    # For a bug that makes the reference raise before ``caught_by``'s oracle sees a
    # wrong number (its own shape check, a NumPy error): the name of its twin, a
    # variant of the same bug that computes wrong numbers instead, which the oracle
    # must catch. The crashing one stays, to show the crash is reported as such.
    twin: str = ""


class MutantDoesNotApply(Exception):
    """The snippet to mutate is not in the target's source exactly once."""


def _resolve(target: str) -> tuple[Any, str, Any]:
    module_name, _, path = target.partition(":")
    owner: Any = importlib.import_module(module_name)
    *parents, name = path.split(".")
    for parent in parents:
        owner = getattr(owner, parent)
    return owner, name, importlib.import_module(module_name)


# While a mutant is applied its name is in the environment, so that a property's
# child process (tests.helpers.param_order) applies it too.
MUTANT_ENV = "DEZERO_SELFTEST_MUTANT"


@contextlib.contextmanager
def applied(mutant: Mutant) -> Iterator[None]:
    owner, name, module = _resolve(mutant.target)
    original = owner.__dict__[name]
    source = textwrap.dedent(inspect.getsource(original))
    if source.count(mutant.old) != 1:
        raise MutantDoesNotApply(f"{mutant.name}: {mutant.old!r} is not in {mutant.target} exactly once")
    mutated = source.replace(mutant.old, mutant.new)
    if isinstance(owner, type):
        # A method compiled inside a function of ``__class__``: the cell that a
        # zero-argument ``super()`` in its body needs.
        mutated = f"def _in_class(__class__):\n{textwrap.indent(mutated, '    ')}    return {name}\n"
    code = compile(
        mutated,
        f"<mutant {mutant.name}>",
        "exec",
        flags=__future__.annotations.compiler_flag,
        dont_inherit=True,
    )
    namespace: dict[str, Any] = {}
    # A function runs with the globals of the module that defines it, which for a
    # name a package re-exports ("dezero.functions:dropout") is not the target module.
    exec(code, getattr(original, "__globals__", module.__dict__), namespace)
    setattr(owner, name, namespace["_in_class"](owner) if isinstance(owner, type) else namespace[name])
    before = os.environ.get(MUTANT_ENV)
    os.environ[MUTANT_ENV] = mutant.name
    try:
        # A broken rule may take values out of an op's domain; NumPy's warnings
        # about the NaNs that follow are noise here: the properties judge the values.
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            yield
    finally:
        setattr(owner, name, original)
        if before is None:
            del os.environ[MUTANT_ENV]
        else:
            os.environ[MUTANT_ENV] = before


CORE = "dezero.core"
ENGINE = "dezero.engine"
F = "dezero.functions"
CONV = "dezero.functions.conv"
NORM = "dezero.functions.normalization"
LAYERS = "dezero.layers"
OPT = "dezero.optimizers"
NN = "dezero.functions.nn"
LOADERS = "dezero.dataloaders"

MUTANTS: tuple[Mutant, ...] = (
    # -- engine bugs
    Mutant("ordering ignored", "engine", "runs the most recently queued generation, not the highest",
           f"{ENGINE}:Schedule.__iter__", 'waiting.pop(-heapq.heappop(generations))', 'waiting.pop(-generations.pop())',
           "test_each_function_runs_once_after_all_its_consumers"),
    Mutant("processed twice", "engine", "queues a Function again each time one of its outputs gets a gradient",
           f"{ENGINE}:backward",
           'if x in grads:\n                    grads[x] = grads[x] + gx\n                    continue\n                grads[x] = gx',
           'grads[x] = grads[x] + gx if x in grads else gx  # and the creator is queued again', "test_each_function_runs_once_after_all_its_consumers"),
    Mutant("grads overwritten", "engine", "a second gradient for a Variable replaces the first",
           f"{ENGINE}:backward", 'grads[x] = grads[x] + gx', 'grads[x] = gx', "test_gradients_match_complex_step[float64]"),
    Mutant("in-place shared accumulation", "engine", "adds into the first gradient's array, which other Variables share",
           f"{ENGINE}:backward", 'grads[x] = grads[x] + gx',
           'grads[x] = np.add(grads[x], gx, out=grads[x])', "test_gradients_match_complex_step[float64]",
           twin="in-place accumulation where writable"),
    Mutant("in-place accumulation where writable", "engine",
           "adds into the first gradient's array when it is writable (so never raises), though other Variables "
           "and the retained grads may share it",
           f"{ENGINE}:backward", 'grads[x] = grads[x] + gx',
           'grads[x] = (np.add(grads[x], gx, out=grads[x]) if mode is ARRAY_MODE and grads[x].flags.writeable else grads[x] + gx)', "test_retain_grad_true_keeps_correct_intermediate_grads"),
    Mutant("generation not propagated", "engine", "outputs get their creator's generation, not one more",
           f"{CORE}:Function.__call__", "output.generation = generation + 1",
           "output.generation = generation", "test_each_function_runs_once_after_all_its_consumers"),
    Mutant("retain_grad ignored", "engine", "intermediate grads are always kept",
           f"{ENGINE}:backward", 'if not retain_grad:\n                        y.grad = None',
           'if False:\n                        y.grad = None', "test_retain_grad_false_keeps_only_leaf_grads"),
    Mutant("outputs held strongly", "engine", "Function.outputs hold the outputs themselves (a reference cycle)",
           f"{CORE}:Function.__call__", 'self.weak_outputs = weakref.ref(outputs[0])',
           'self.weak_outputs = lambda o=outputs[0]: o', "test_dropping_the_output_frees_the_graph"),
    Mutant("Variable takes any data", "engine", "Variable wraps a list or a number instead of refusing it",
           f"{CORE}:Variable.__init__", "and not is_array(data):", "and not is_array(data) and False:",
           "test_variable_rejects_data_that_is_not_an_ndarray"),
    Mutant("no_grad ignored", "engine", "graphs are recorded whatever the grad mode",
           f"{CORE}:Function.__call__", "if backprop_enabled():", "if True:", "test_no_grad_builds_no_graph_and_keeps_nothing"),
    Mutant("create_graph ignored", "engine", "backward never records the graph of the gradients",
           f"{ENGINE}:backward", 'with using_config("enable_backprop", create_graph):',
           'with using_config("enable_backprop", False):', "test_double_backward_matches_differences_of_first_grads"),
    Mutant("dropped output gets None", "engine", "an output with no gradient passes None to backward (the book)",
           f"{ENGINE}:GraphMode.zeros", 'return self.gradient(Variable(array_module(like).zeros(shape, dtype=gradient_dtype(dtype))))', 'return None',
           "test_each_op_alone_matches_complex_step[fork]", twin="dropped output gets ones"),
    Mutant("dropped output gets ones", "engine", "an output with no gradient passes ones to backward, as for a seed",
           f"{ENGINE}:GraphMode.zeros", 'array_module(like).zeros(shape,', 'array_module(like).ones(shape,',
           "test_each_op_alone_matches_complex_step[fork]"),
    Mutant("grads share memory", "engine", "gradients handed to several inputs are stored as the same array",
           f"{ENGINE}:backward", 'unshare_grads([root] + retained + leaves, create_graph)',
           'pass', "test_grads_own_their_memory"),
    Mutant("backward on a leaf crashes", "engine", "backward() on a value without a creator walks a graph of None",
           f"{ENGINE}:backward", 'if root.creator is None:  # a leaf', 'if False:  # a leaf', "test_backward_without_a_graph_only_seeds",
           twin="backward on a leaf does nothing"),
    Mutant("backward on a leaf does nothing", "engine", "backward() on a value without a creator returns before "
           "seeding its grad", f"{ENGINE}:backward", 'seed = seed_gradient(root)\n    root.grad = seed', 'seed = seed_gradient(root)\n    if root.creator is None:\n        return\n    root.grad = seed',
           "test_backward_without_a_graph_only_seeds"),
    Mutant("seed shape unchecked", "engine", "a seed gradient of the wrong shape is used as it is",
           f"{ENGINE}:seed_gradient", "if seed.shape != data.shape:", "if False:", "test_seed_gradient_of_the_wrong_shape_raises_value_error",
           twin="seed broadcast to the output"),
    Mutant("seed broadcast to the output", "engine",
           "a seed gradient of the wrong shape is broadcast to the output's shape where NumPy can",
           f"{ENGINE}:seed_gradient",
           "raise ValueError(\n            f\"the seed gradient has shape {seed.shape}, but the output has shape "
           "{data.shape}\"\n        )",
           "seed = Variable(array_module(data).broadcast_to(seed.array, data.shape).copy())", "test_seed_gradient_of_the_wrong_shape_raises_value_error"),
    Mutant("Python scalars promote", "engine", "a Python number becomes a float64 array (float32 * 2.0 is float64)",
           f"{CORE}:as_input_variables", "xp.asarray(x, dtype=_number_dtype(arrays, x))", "xp.asarray(x)",
           "test_every_value_matches_numpy[float32]"),
    Mutant("grads replaced across calls", "engine", "a second backward() replaces a leaf's grad instead of adding to it",
           f"{ENGINE}:backward", 'leaf.grad = accumulate(leaf.grad, mode.variable(grads[leaf]))',
           'leaf.grad = mode.variable(grads[leaf])', "test_two_backward_passes_accumulate_twice"),
    Mutant("create_graph always on", "engine", "backward records the graph of the gradients whatever create_graph says",
           f"{CORE}:Variable.backward", "engine.backward(self, retain_grad, create_graph)",
           "engine.backward(self, retain_grad, True)",
           "test_grads_carry_no_graph_without_create_graph"),
    Mutant("grads widened", "engine", "grads are stored as float64 whatever the variable's dtype",
           f"{ENGINE}:ArrayMode.variable", "Variable(as_array(g, array_module(g)))",
           "Variable(as_array(g, array_module(g)).astype(np.float64))",
           "test_grads_have_their_variables_shape_and_dtype[float32]"),
    Mutant("grads narrowed", "engine", "grads are stored as float32 whatever the variable's dtype",
           f"{ENGINE}:ArrayMode.variable", "Variable(as_array(g, array_module(g)))",
           "Variable(as_array(g, array_module(g)).astype(np.float32))",
           "test_grads_have_their_variables_shape_and_dtype[float64]"),
    # -- rule bugs
    Mutant("upstream gradient ignored", "rule", "Sin.backward returns cos(x), forgetting to multiply by gy "
           "(right only when the output is seeded with ones)",
           f"{F}.elementwise:Sin.backward", "return gy * Cos().apply(x)", "return Cos().apply(x)",
           "test_grads_are_linear_in_the_cotangent"),
    Mutant("sign error", "rule", "Sub.backward forgets the minus for its second input",
           f"{F}.arithmetic:Sub.backward", "unbroadcast(-gy, x1.shape)", "unbroadcast(gy, x1.shape)", "test_gradients_match_complex_step[float64]"),
    Mutant("forward operands swapped", "rule", "Sub.forward computes x1 - x0",
           f"{F}.arithmetic:Sub.forward", "return x0 - x1", "return x1 - x0", "test_every_value_matches_numpy[float64]"),
    Mutant("sum_to unchecked", "rule", "sizes are not checked to broadcast (ranks are), so sum_to returns a wrong shape (the book)",
           "dezero._arrays:check_broadcastable", "if not ok or any(d < 0 for d in target):",
           "if len(shape) > len(target):",
           "test_bad_arguments_raise_value_error_and_change_nothing[sum_to an incompatible shape]"),
    Mutant("axes wrapped", "rule", "axes are wrapped modulo ndim, so out-of-range axes are accepted (transpose((2, 1)))",
           "dezero._arrays:normalize_axis", "if not -ndim <= a < ndim:", "if ndim == 0:",
           "test_bad_arguments_raise_value_error_and_change_nothing[transpose with axes that are not a permutation]"),
    Mutant("swapped operands", "rule", "Mul.backward multiplies by the wrong input",
           f"{F}.arithmetic:Mul.backward", "unbroadcast(gy * x1, x0.shape)", "unbroadcast(gy * x0, x0.shape)",
           "test_gradients_match_complex_step[float64]"),
    Mutant("broadcasting not undone", "rule", "Add.backward returns gy without sum_to",
           f"{F}.arithmetic:Add.backward", "unbroadcast(gy, x0.shape) if self.needs_grad(0)", "gy if self.needs_grad(0)",
           "test_gradients_match_complex_step[float64]", twin="broadcasting undone by a mean"),
    Mutant("broadcasting undone by a mean", "rule", "sum_to averages the broadcast copies instead of summing them",
           "dezero._arrays:sum_to", "x.sum(axis=tuple(range(lead)) + stretched, keepdims=True)",
           "x.mean(axis=tuple(range(lead)) + stretched, keepdims=True)", "test_gradients_match_complex_step[float64]"),
    Mutant("wrong transpose", "rule", "Transpose.backward applies the permutation again instead of its inverse",
           f"{F}.shape:Transpose.backward", "Transpose(tuple(np.argsort(self.axes).tolist())).apply(gy)",
           "Transpose(self.axes).apply(gy)", "test_each_op_alone_matches_complex_step[transpose]", twin="transpose undone by a reshape"),
    Mutant("transpose undone by a reshape", "rule", "Transpose.backward reshapes gy to the input's shape instead "
           "of transposing it back", f"{F}.shape:Transpose.backward",
           "Transpose(tuple(np.argsort(self.axes).tolist())).apply(gy)", "gy.reshape(self.inputs[0].shape)",
           "test_each_op_alone_matches_complex_step[transpose]"),
    Mutant("matmul transpose missing", "rule", "MatMul.backward forgets to transpose W",
           f"{F}.linalg:MatMul.backward", "MatMul().apply(gy, swapaxes_last(W))", "MatMul().apply(gy, W)",
           "test_each_op_alone_matches_complex_step[matmul]", twin="matmul transposes by a reshape"),
    Mutant("matmul transposes by a reshape", "rule", "MatMul.backward 'transposes' W by reshaping it to the "
           "transposed shape", f"{F}.linalg:MatMul.backward", "MatMul().apply(gy, swapaxes_last(W))",
           "MatMul().apply(gy, W.reshape(*W.shape[:-2], W.shape[-1], W.shape[-2]))", "test_each_op_alone_matches_complex_step[matmul]"),
    Mutant("wrong axis", "rule", "Softmax.backward sums over the last axis, not its own",
           f"{F}.nn:Softmax.backward", "y_gy.sum(axis=self.axis, keepdims=True)", "y_gy.sum(axis=-1, keepdims=True)",
           "test_each_op_alone_matches_complex_step[softmax]"),
    Mutant("repeated index lost", "rule", "GetItemGrad assigns instead of adding, so repeated indices count once",
           f"{F}.shape:GetItemGrad.forward", "xp.add.at(gx, self.slices, gy)", "gx[self.slices] = gy",
           "test_each_op_alone_matches_complex_step[get_item]"),
    Mutant("sin derivative 1e-3 off", "rule", "Sin.backward is 0.1% too large",
           f"{F}.elementwise:Sin.backward", "gy * Cos().apply(x)", "gy * Cos().apply(x) * 1.001",
           "test_gradients_match_complex_step[float64]"),
    Mutant("exp derivative 1e-5 off", "rule", "Exp.backward is 0.001% too large",
           f"{F}.elementwise:Exp.backward", "gy * self.output_like(gy)", "gy * self.output_like(gy) * 1.00001",
           "test_each_elementwise_op_alone_in_float32[exp]"),
    Mutant("sigmoid derivative 1e-4 off", "rule", "Sigmoid.backward is 0.01% too large",
           f"{F}.elementwise:Sigmoid.backward", "gx: V = gy * y * (1 - y)", "gx: V = gy * y * (1 - y) * 1.0001",
           "test_gradients_match_complex_step[float32]"),
    Mutant("dtype changed", "rule", "Sigmoid.forward computes with a float64 constant, so float32 becomes float64",
           f"{F}.elementwise:Sigmoid.forward", "xp.tanh(x * 0.5)", "xp.tanh(x * xp.float64(0.5))",
           "test_every_value_matches_numpy[float32]"),
    # -- kinks and ties
    Mutant("tied maxima all get the gradient", "rule",
           "max/min give every tied extreme the whole upstream gradient (the book's max)",
           f"{F}.reduction:_Extremum.backward",
           "weights: Array = is_extreme / is_extreme.sum(axis=self.axis, keepdims=True)",
           "weights: Array = is_extreme", "test_each_op_at_its_kinks_lies_in_the_generalized_gradient[max-float64]"),
    Mutant("abs derivative x / |x|", "rule", "Abs.backward uses x / |x|, NaN at 0",
           f"{F}.elementwise:Abs.mask", "y: Array = array_module(x).sign(x)", "y: Array = x / array_module(x).abs(x)", "test_each_op_at_its_kinks_lies_in_the_generalized_gradient[abs-float64]"),
    Mutant("relu derivative 2 at 0", "rule", "ReLU's mask is 2 where x == 0, outside [0, 1]",
           f"{F}.elementwise:ReLU.mask", "return (x > 0).astype(x.dtype)",
           "return ((x > 0) + 2 * (x == 0)).astype(x.dtype)", "test_each_op_at_its_kinks_lies_in_the_generalized_gradient[relu-float64]"),
    Mutant("clip passes 2x at its upper bound", "rule", "Clip's mask counts x == x_max twice",
           f"{F}.elementwise:Clip.mask", "return ((x >= self.x_min) & (x <= self.x_max)).astype(x.dtype)",
           "return ((x >= self.x_min) & (x <= self.x_max)).astype(x.dtype) + (x == self.x_max)",
           "test_each_op_at_its_kinks_lies_in_the_generalized_gradient[clip-float64]"),
    Mutant("tied pooling maxima all get the gradient", "rule",
           "max pooling's backward masks each window by value, so every tied maximum gets the window's gradient",
           f"{CONV}:Pooling.backward", "return Pooling2DGrad(x_shape, self.geometry, self.indexes).apply(gy)",
           "x = self.inputs[0].array; col = _windows(x, self.geometry, fill=_lowest(x.dtype)); "
           "ties = (col == col.max(axis=(2, 3), keepdims=True)).astype(x.dtype); "
           "return Col2im(x_shape, *self.geometry.parts(), False).apply("
           "broadcast(gy.reshape(gy.shape[:2] + (1, 1) + gy.shape[2:]), ties.shape) * ties)",
           "test_each_op_at_its_kinks_lies_in_the_generalized_gradient[pooling-float64]"),
    # -- loss shapes
    Mutant("labels compared with every row", "rule", "SoftmaxCrossEntropy.forward indexes with labels of shape (N, 1) "
           "as given, so every row is scored against every label",
           f"{F}.nn:SoftmaxCrossEntropy.forward", "t.ravel()", "t", "test_softmax_cross_entropy_with_labels_n_or_n_by_1"),
    Mutant("squared error averaged over every element", "rule",
           "MeanSquaredError.forward divides by the number of elements, not the batch size (PyTorch's default)",
           f"{F}.nn:MeanSquaredError.forward", "(diff * diff).sum() / _batch_size(diff.shape)",
           "(diff * diff).sum() / diff.size", "test_mean_squared_error_of_operands_that_broadcast"),
    Mutant("targets broadcast, not paired", "rule",
           "the losses broadcast a target with another number of axes instead of pairing it element by element, "
           "so a (N, 1) target against (N,) probabilities scores every pair",
           f"{F}.nn:_as_shape_of", "if t.ndim == x.ndim:", "if True:",
           "test_targets_of_each_shape[binary_cross_entropy]"),
    # -- large magnitudes
    Mutant("softmax without the max shift", "rule", "Softmax.forward exponentiates x itself, which overflows past 709",
           f"{F}.nn:Softmax.forward", "exp(x - x.max(axis=self.axis, keepdims=True))", "exp(x)",
           "test_large_inputs_give_finite_accurate_values_and_gradients[softmax]"),
    Mutant("softplus overflows", "rule", "SigmoidCrossEntropy.forward computes softplus as log(1 + exp(x))",
           f"{F}.nn:SigmoidCrossEntropy.forward", "logaddexp(0, x)", "log(1 + np.exp(x))",
           "test_large_inputs_give_finite_accurate_values_and_gradients[sigmoid_cross_entropy]"),
    # -- changes in place
    Mutant("gy scaled in place", "rule", "SoftmaxCrossEntropy.backward scales its upstream gradient in place "
           "(the book's `gy *= 1/N`, harmless on its Variables, not on arrays)",
           f"{F}.nn:SoftmaxCrossEntropy.backward", "gx: V = (Softmax(1).apply(x) - one_hot) * (gy / n)",
           "gy *= 1 / n\n    gx: V = (Softmax(1).apply(x) - one_hot) * gy",
           "test_each_op_alone_changes_nothing_it_was_given[softmax_cross_entropy]"),
    Mutant("gy multiplied in place", "rule", "Sin.backward multiplies its upstream gradient in place (the seed, or "
           "a gradient other consumers of the same value read too)",
           f"{F}.elementwise:Sin.backward", "return gy * Cos().apply(x)",
           "gy *= Cos().apply(x)\n    return gy", "test_graphs_change_nothing_they_were_given"),
    Mutant("relu forward in place", "rule", "ReLU.forward writes max(x, 0) into its input's array",
           f"{F}.elementwise:ReLU.forward", "maximum(x, 0)", "maximum(x, 0, out=x)", "test_each_op_alone_changes_nothing_it_was_given[relu]"),
    # -- images, normalization, layers: first order
    Mutant("conv2d filter gradient transposed", "rule",
           "the filter gradient contracts the output rows with the window columns (OH and OW swapped)",
           f"{CONV}:Conv2DGradW.forward", "xp.tensordot(gy, col, ((0, 2, 3), (0, 4, 5)))",
           "xp.tensordot(gy, col, ((0, 3, 2), (0, 4, 5)))", "test_each_op_alone_matches_complex_step[conv2d]",
           twin="conv2d filter gradient flipped"),
    Mutant("conv2d filter gradient flipped", "rule",
           "the filter gradient comes out rotated by 180 degrees (a convolution's flip in a correlation's gradient)",
           f"{CONV}:Conv2DGradW.forward", "xp.tensordot(gy, col, ((0, 2, 3), (0, 4, 5)))",
           "xp.tensordot(gy, col, ((0, 2, 3), (0, 4, 5)))[:, :, ::-1, ::-1]", "test_each_op_alone_matches_complex_step[conv2d]"),
    Mutant("conv2d input gradient loses its size", "rule",
           "the input gradient is a deconv2d of default output size, not the input's (the book passes outsize)",
           f"{CONV}:Conv2d.backward", "Deconv2d(self.stride, self.pad, (h, w)).apply(gy, W)",
           "Deconv2d(self.stride, self.pad).apply(gy, W)", "test_each_op_alone_matches_complex_step[conv2d_nobias]",
           twin="conv2d input gradient with the filter flipped"),
    Mutant("conv2d input gradient with the filter flipped", "rule",
           "the input gradient is a deconv2d with the filter rotated by 180 degrees (the full-convolution recipe's "
           "flip, on top of a transposed convolution)",
           f"{CONV}:Conv2d.backward", "Deconv2d(self.stride, self.pad, (h, w)).apply(gy, W)",
           "Deconv2d(self.stride, self.pad, (h, w)).apply(gy, W[:, :, ::-1, ::-1])", "test_each_op_alone_matches_complex_step[conv2d_nobias]"),
    Mutant("deconv2d filter gradient operands swapped", "rule",
           "deconv2d's filter gradient correlates x with gy instead of gy with x",
           f"{CONV}:Deconv2d.backward", "Conv2DGradW(self.geometry(W.shape)).apply(gy, x)",
           "Conv2DGradW(self.geometry(W.shape)).apply(x, gy)", "test_each_op_alone_matches_complex_step[deconv2d]",
           twin="deconv2d filter gradient flipped"),
    Mutant("deconv2d filter gradient flipped", "rule",
           "deconv2d's filter gradient comes out rotated by 180 degrees",
           f"{CONV}:Deconv2d.backward", "Conv2DGradW(self.geometry(W.shape)).apply(gy, x)",
           "Conv2DGradW(self.geometry(W.shape)).apply(gy, x)[:, :, ::-1, ::-1]", "test_each_op_alone_matches_complex_step[deconv2d]"),
    Mutant("col2im kernel axes swapped", "rule",
           "col2im of a window matrix reads its columns as (c, j, i), so im2col's gradient is transposed",
           f"{CONV}:col2im_array", "transpose(0, 3, 4, 5, 1, 2)", "transpose(0, 3, 5, 4, 1, 2)",
           "test_each_op_alone_matches_complex_step[conv2d_simple]"),
    Mutant("im2col gradient ignores to_matrix", "rule",
           "Im2col.backward always reads its gradient as a window matrix",
           f"{CONV}:Im2col.backward", "*self.geometry.parts(), self.to_matrix).apply(gy)",
           "*self.geometry.parts(), True).apply(gy)", "test_each_op_alone_matches_complex_step[im2col]"),
    Mutant("im2col matrix columns transposed", "rule",
           "im2col_array lays a window out as (c, j, i), which col2im's gradient then uses",
           f"{CONV}:im2col_array", "col.transpose(0, 4, 5, 1, 2, 3)", "col.transpose(0, 4, 5, 1, 3, 2)",
           "test_each_op_alone_matches_complex_step[col2im]"),
    Mutant("max pooling gradient to the wrong element", "rule",
           "the pooled gradient goes back through a (KW, KH) window, so the argmax index lands elsewhere",
           f"{CONV}:Pooling2DGrad.forward", "col.reshape(n, c, kh, kw, oh, ow)", "col.reshape(n, c, kw, kh, oh, ow)",
           "test_each_op_alone_matches_complex_step[pooling]"),
    Mutant("average pooling divides by KH*KH", "rule", "the average's gradient divides by the kernel height squared",
           f"{CONV}:AveragePooling.backward", "gy / (kh * kw)", "gy / (kh * kh)", "test_each_op_alone_matches_complex_step[average_pooling]"),
    Mutant("batch_norm gradient mean over the batch axis only", "rule",
           "the train-mode input gradient subtracts the mean of gy over axis 0, not over every axis but 1",
           f"{NORM}:BatchNorm.backward", "gy - _mean(gy, axes)", "gy - _mean(gy, (0,))",
           "test_each_op_alone_matches_complex_step[batch_norm]"),
    Mutant("batch_norm test-mode gradient forgets gamma", "rule",
           "in test mode the input gradient is gy / std, without the scale gamma",
           f"{NORM}:BatchNorm.backward", "gx = g * inv_std_data * gy", "gx = inv_std_data * gy",
           "test_each_op_alone_matches_complex_step[batch_norm_test]"),
    Mutant("Linear layer drops its bias", "rule", "Linear.forward calls F.linear without the bias",
           f"{LAYERS}:Linear.forward", "F.linear(x, self.W, self.b)", "F.linear(x, self.W)", "test_each_op_alone_matches_complex_step[layer_linear]"),
    Mutant("Conv2d layer ignores pad", "rule", "the Conv2d layer does not pass its padding on",
           f"{LAYERS}:Conv2d._apply", "self.stride, self.pad)", "self.stride)", "test_each_op_alone_matches_complex_step[layer_conv2d]"),
    Mutant("Deconv2d layer swaps stride and pad", "rule", "the Deconv2d layer passes pad where stride goes",
           f"{LAYERS}:Deconv2d._apply", "self.stride, self.pad)", "self.pad, self.stride)", "test_each_op_alone_matches_complex_step[layer_deconv2d]",
           twin="Deconv2d layer ignores pad"),
    Mutant("Deconv2d layer ignores pad", "rule", "the Deconv2d layer does not pass its padding on",
           f"{LAYERS}:Deconv2d._apply", "self.stride, self.pad)", "self.stride)", "test_each_op_alone_matches_complex_step[layer_deconv2d]"),
    Mutant("BatchNorm layer swaps gamma and beta", "rule", "the BatchNorm layer passes beta as the scale",
           f"{LAYERS}:BatchNorm.forward", "self.gamma, self.beta,", "self.beta, self.gamma,", "test_each_op_alone_matches_complex_step[layer_batch_norm]"),
    # -- images, normalization: forward
    Mutant("max pooling pads with zeros", "rule", "max pooling pads with 0 (the book), which wins over negative windows",
           f"{CONV}:Pooling.forward", "_windows(x, self.geometry, fill=_lowest(x.dtype))", "_windows(x, self.geometry)",
           "test_each_op_alone_matches_numpy[pooling]"),
    Mutant("batch_norm normalizes by the unbiased variance", "rule",
           "the train-mode forward divides by the unbiased (count - 1) variance",
           f"{NORM}:BatchNorm.forward", "batch_var = x.var(axis=axes)", "batch_var = x.var(axis=axes, ddof=1)",
           "test_each_op_alone_matches_numpy[batch_norm]"),
    # -- images, normalization: second order
    Mutant("conv2d double backward drops the input term", "rule",
           "the filter gradient's backward returns no gradient for x (its needs_grad test inverted)",
           f"{CONV}:Conv2DGradW.backward", "gx = Deconv2d(stride, pad, size).apply(gy, ggW) if self.needs_grad(0)",
           "gx = Deconv2d(stride, pad, size).apply(gy, ggW) if not self.needs_grad(0)", "test_each_op_alone_double_backward_matches_differences[conv2d]"),
    Mutant("batch_norm backward treats 1/std as constant", "rule",
           "the train-mode backward uses the batch's 1/std as a constant array (the book), so double backward "
           "misses its dependence on x",
           f"{NORM}:BatchNorm.backward", "(_mean(centered * centered, axes) + self.eps)",
           "(np.asarray(_mean(centered * centered, axes).data) + self.eps)", "test_each_op_alone_double_backward_matches_differences[batch_norm]"),
    Mutant("max pooling double backward reads windows column-major", "rule",
           "the pooling gradient's own backward picks window elements in column-major order",
           f"{CONV}:Pooling2DWithIndexes.forward", "col = col.reshape(n, c, kh * kw, oh, ow)",
           "col = col.transpose(0, 1, 3, 2, 4, 5).reshape(n, c, kh * kw, oh, ow)", "test_each_op_alone_double_backward_matches_differences[pooling]"),
    # -- optimizers and hooks
    Mutant("SGD promotes float32", "rule", "SGD rebinds the data to a float64 result (NEP 50 with a NumPy float64 lr)",
           f"{OPT}:SGD.update_one", "param.array[...] -= self.lr * _grad(param)",
           "param.data = param.array - np.float64(self.lr) * _grad(param)", "test_optimizer_updates_match_the_closed_form[SGD]"),
    Mutant("MomentumSGD sign", "rule", "MomentumSGD subtracts the velocity it already made negative",
           f"{OPT}:MomentumSGD.update_one", "param.array[...] += v", "param.array[...] -= v", "test_optimizer_updates_match_the_closed_form[MomentumSGD]"),
    Mutant("AdaGrad forgets its history", "rule", "AdaGrad's h is the last squared gradient, not their sum",
           f"{OPT}:AdaGrad.update_one", "h += grad * grad", "h[...] = grad * grad", "test_optimizer_updates_match_the_closed_form[AdaGrad]"),
    Mutant("AdaDelta averages squared gradients twice", "rule",
           "AdaDelta's second average takes grad ** 2 instead of the step dx ** 2",
           f"{OPT}:AdaDelta.update_one", "msdx += (1 - self.rho) * dx * dx", "msdx += (1 - self.rho) * grad * grad",
           "test_optimizer_updates_match_the_closed_form[AdaDelta]"),
    Mutant("Adam bias correction swapped", "rule", "Adam corrects m with beta2 and v with beta1",
           f"{OPT}:Adam.step_size", "math.sqrt(1 - self.beta2**k) / (1 - self.beta1**k)",
           "math.sqrt(1 - self.beta1**k) / (1 - self.beta2**k)", "test_optimizer_updates_match_the_closed_form[Adam]"),
    Mutant("WeightDecay scales the gradient", "rule", "WeightDecay adds rate * grad instead of rate * param",
           f"{OPT}:WeightDecay.__call__", "_grad(param) + self.rate * param.array",
           "_grad(param) + self.rate * _grad(param)", "test_hooks_change_gradients_as_their_formula_says[WeightDecay]"),
    Mutant("ClipGrad uses the squared norm", "rule", "ClipGrad compares max_norm with the squared norm",
           f"{OPT}:ClipGrad.__call__", "total = math.sqrt(sum(", "total = (sum(", "test_hooks_change_gradients_as_their_formula_says[ClipGrad]"),
    Mutant("hooks' dropped gradients still updated", "rule",
           "update() filters gradients before the hooks only, so FreezeParam's None grads crash (the book)",
           f"{OPT}:Optimizer.update", "params = [p for p in params if p.grad is not None]", "pass",
           "test_hooks_change_gradients_as_their_formula_says[FreezeParam]", twin="FreezeParam zeroes gradients"),
    Mutant("FreezeParam zeroes gradients", "rule",
           "FreezeParam sets the gradients to zero instead of dropping them, so a later hook (WeightDecay) or "
           "an optimizer's state still moves the frozen parameters",
           f"{OPT}:FreezeParam.__call__", "param.grad = None", "param.grad = Variable(np.zeros_like(param.array))",
           "test_hooks_change_gradients_as_their_formula_says[FreezeParam]"),
    # -- persistence
    Mutant("save/load keys lose the sub-layer", "rule",
           "named_params does not prefix a sub-layer's names, so two sub-layers' 'W' collide in the file",
           f"{LAYERS}:Layer._walk", 'value._walk(f"{prefix}{name}/", seen)', "value._walk(prefix, seen)",
           "test_save_then_load_restores_every_parameter_exactly"),
    Mutant("parameter names in a set", "rule", "params() walks the attribute names as a set (the book), in hash order",
           f"{LAYERS}:Layer._walk", "for name in self._params:", "for name in set(self._params):",
           "test_parameter_order_is_the_same_under_every_hash_seed"),
    # -- recurrent layers and sequences
    Mutant("RNN sizes h2h by in_size", "rule",
           "RNN's hidden-to-hidden weight is made (in_size, hidden_size), as the book makes it",
           f"{LAYERS}:RNN.__init__", "h2h_size = None if in_size is None else hidden_size", "h2h_size = in_size",
           "test_unrolled_sequence_matches_the_recurrence[RNN]"),
    Mutant("RNN reset_state keeps h", "rule", "reset_state leaves the hidden state as it is",
           f"{LAYERS}:RNN.reset_state", "self.h = None", "self.h = self.h", "test_unrolled_sequence_matches_the_recurrence[RNN]"),
    Mutant("LSTM gates swapped", "rule", "the forget and input gates read each other's input weights",
           f"{LAYERS}:LSTM.forward", "f, i, o, u = self.x2f(x), self.x2i(x),", "i, f, o, u = self.x2f(x), self.x2i(x),",
           "test_unrolled_sequence_matches_the_recurrence[LSTM]"),
    Mutant("unchain_backward cuts nothing", "engine", "unchain_backward walks the graph but unchains no Variable",
           f"{CORE}:Variable.unchain_backward", "x.unchain()", "pass", "test_unchain_backward_truncates_backpropagation[RNN]"),
    Mutant("SeqDataLoader rows and steps swapped", "rule",
           "row i of batch k is item i + k * jump instead of i * jump + k",
           f"{LOADERS}:SeqDataLoader.__next__", "(row * jump + self.iteration)", "(row + self.iteration * jump)",
           "test_seq_data_loader_batches_walk_the_sequence"),
    # -- dropout and data
    Mutant("dropout backward draws its own mask", "rule", "Dropout.backward multiplies by a new random mask",
           f"{NN}:Dropout.backward", "gy * self.mask / self.scale",
           "gy * (_random.uniform01(self.mask.shape) > self.ratio) / self.scale", "test_dropout_backward_uses_the_forward_mask_and_scale"),
    Mutant("dropout backward unscaled", "rule", "Dropout.backward forgets to divide by 1 - ratio",
           f"{NN}:Dropout.backward", "gy * self.mask / self.scale", "gy * self.mask", "test_dropout_backward_uses_the_forward_mask_and_scale"),
    Mutant("dropout keeps with probability ratio", "rule", "the mask keeps where rand < ratio (inverted)",
           "dezero.functions:dropout", "_random.uniform01(x.shape, rng) > dropout_ratio",
           "_random.uniform01(x.shape, rng) < dropout_ratio", "test_dropout_preserves_the_mean"),
    Mutant("dropout reads the grad switch", "rule", "dropout tests Config.enable_backprop for test mode",
           "dezero.functions:dropout", "if not Config.train:", "if not Config.enable_backprop:", "test_dropout_in_test_mode_is_the_identity"),
    Mutant("get_spiral re-seeds", "rule", "get_spiral seeds NumPy's global generator and draws from it (the book)",
           "dezero.datasets:get_spiral", "generator = np.random.RandomState(1984 if train else 2020)",
           "generator = np.random; generator.seed(1984 if train else 2020)", "test_datasets_never_reseed_the_global_generator[get_spiral]"),
    Mutant("DataLoader shuffles once", "rule", "a new epoch starts over without a new permutation",
           f"{LOADERS}:DataLoader.__next__", "self.reset()", "self.iteration = 0", "test_loaders_draw_from_the_global_generator_as_the_book_does[DataLoader]"),
)


BY_NAME: dict[str, Mutant] = {m.name: m for m in MUTANTS}
