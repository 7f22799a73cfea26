"""Differentiable functions, used as ``import dezero.functions as F``.

Each lives beside its backward in a module by family:
:mod:`~dezero.functions.arithmetic`, :mod:`~dezero.functions.elementwise`,
:mod:`~dezero.functions.shape`, :mod:`~dezero.functions.reduction`,
:mod:`~dezero.functions.linalg`, :mod:`~dezero.functions.nn`,
:mod:`~dezero.functions.conv` (convolution, pooling),
:mod:`~dezero.functions.normalization` (batch normalization) and
:mod:`~dezero.functions.simple` (the book's first, composed versions: ``*_simple``).
"""

from dezero.functions.arithmetic import (
    Add,
    AsType,
    Copy,
    Div,
    Mul,
    Neg,
    Pow,
    Power,
    Sub,
    add,
    astype,
    copy,
    div,
    mul,
    neg,
    pow,
    rdiv,
    rsub,
    sub,
)
from dezero.functions.elementwise import (
    Abs,
    Clip,
    Cos,
    Exp,
    LeakyReLU,
    Log,
    ReLU,
    Sigmoid,
    Sin,
    Sqrt,
    Square,
    Tanh,
    abs,
    clip,
    cos,
    exp,
    leaky_relu,
    log,
    relu,
    sigmoid,
    sin,
    sqrt,
    square,
    tanh,
)
from dezero.functions.conv import (
    AveragePooling,
    Col2im,
    Conv2d,
    Conv2DGradW,
    Deconv2d,
    Im2col,
    Pooling,
    Pooling2DGrad,
    Pooling2DWithIndexes,
    average_pooling,
    col2im,
    conv2d,
    conv2d_simple,
    deconv2d,
    im2col,
    pooling,
)
from dezero.functions.concat import Concat, concat
from dezero.functions.linalg import Linear, MatMul, linear, matmul
from dezero.functions.nn import (
    Dropout,
    LogSoftmax,
    MeanSquaredError,
    SigmoidCrossEntropy,
    Softmax,
    SoftmaxCrossEntropy,
    accuracy,
    binary_cross_entropy,
    dropout,
    embed_id,
    log_softmax,
    mean_squared_error,
    sigmoid_cross_entropy,
    softmax,
    softmax_cross_entropy,
)
from dezero.functions.normalization import BatchNorm, batch_norm
from dezero.functions.reduction import Max, Min, Sum, average, max, mean, min, sum
from dezero.functions.simple import (
    linear_simple,
    mean_squared_error_simple,
    pooling_simple,
    sigmoid_simple,
    softmax_cross_entropy_simple,
    softmax_simple,
)
from dezero.functions.shape import (
    BroadcastTo,
    GetItem,
    GetItemGrad,
    Reshape,
    SumTo,
    Transpose,
    broadcast_to,
    expand_dims,
    flatten,
    get_item,
    reshape,
    sum_to,
    transpose,
)

batch_nrom = batch_norm  # the book's spelling, kept as an alias

__all__ = [
    "Abs", "Add", "AsType", "AveragePooling", "BatchNorm", "BroadcastTo", "Clip",
    "Col2im", "Conv2DGradW", "Conv2d", "Copy", "Cos", "Deconv2d", "Div", "Dropout", "Exp", "Im2col",
    "Pooling", "Pooling2DGrad", "Pooling2DWithIndexes",
    "GetItem", "GetItemGrad", "LeakyReLU", "Linear", "Log", "LogSoftmax", "MatMul",
    "Max", "MeanSquaredError", "Min", "Mul", "Neg", "Pow", "Power", "ReLU", "Reshape",
    "Sigmoid", "SigmoidCrossEntropy", "Sin", "Softmax", "SoftmaxCrossEntropy", "Sqrt",
    "Square", "Sub", "Sum", "SumTo", "Tanh", "Transpose",
    "abs", "accuracy", "add", "astype", "average", "average_pooling", "batch_norm",
    "binary_cross_entropy", "broadcast_to", "clip", "col2im", "conv2d", "conv2d_simple",
    "copy", "cos", "deconv2d", "div", "dropout", "embed_id", "exp", "im2col", "pooling",
    "expand_dims", "flatten", "get_item", "leaky_relu", "linear", "log", "log_softmax",
    "matmul", "max", "mean", "mean_squared_error", "min", "mul", "neg", "pow", "rdiv",
    "relu", "reshape", "rsub", "sigmoid", "sigmoid_cross_entropy", "sin", "softmax",
    "softmax_cross_entropy", "sqrt", "square", "sub", "sum", "sum_to", "tanh",
    "transpose",
    "Concat", "concat",
    "batch_nrom", "linear_simple", "mean_squared_error_simple", "pooling_simple", "sigmoid_simple",
    "softmax_cross_entropy_simple", "softmax_simple",
]  # fmt: skip
