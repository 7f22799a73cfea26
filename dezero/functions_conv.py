"""The book's module name for the convolution functions; they live in
:mod:`dezero.functions.conv` (and are exported by :mod:`dezero.functions`)."""

from dezero.functions.conv import (
    average_pooling,
    col2im,
    conv2d,
    conv2d_simple,
    deconv2d,
    get_conv_outsize,
    get_deconv_outsize,
    im2col,
    pair,
    pooling,
)

__all__ = [
    "average_pooling",
    "col2im",
    "conv2d",
    "conv2d_simple",
    "deconv2d",
    "get_conv_outsize",
    "get_deconv_outsize",
    "im2col",
    "pair",
    "pooling",
]
