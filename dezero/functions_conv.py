"""The book's module name for convolution and pooling; everything lives in
:mod:`dezero.functions.conv` (``pooling_simple`` in :mod:`dezero.functions.simple`)
and is also exported by :mod:`dezero.functions`."""

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
    col2im_array,
    conv2d,
    conv2d_simple,
    deconv2d,
    get_conv_outsize,
    get_deconv_outsize,
    im2col,
    im2col_array,
    pair,
    pooling,
)
from dezero.functions.simple import pooling_simple

__all__ = [
    "AveragePooling", "Col2im", "Conv2DGradW", "Conv2d", "Deconv2d", "Im2col", "Pooling",
    "Pooling2DGrad", "Pooling2DWithIndexes", "average_pooling", "col2im", "col2im_array",
    "conv2d", "conv2d_simple", "deconv2d", "get_conv_outsize", "get_deconv_outsize", "im2col",
    "im2col_array", "pair", "pooling", "pooling_simple",
]  # fmt: skip
