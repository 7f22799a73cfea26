"""Models: layers that stand for a whole network (``Model``), a chain of layers
(``Sequential``), a multi-layer perceptron (``MLP``), and the book's image
classifiers: ``VGG16``, ``ResNet`` (50, 101 or 152 layers, with their blocks) and
``SqueezeNet``.

The image classifiers create their weights lazily, at the first call, like the
layers they are made of. ``pretrained=True`` downloads the book's weights file into
the cache folder once (:func:`dezero.utils.get_file`) and loads it; any other
``.npz`` written by ``save_weights`` loads with ``load_weights``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Union

import numpy as np
import numpy.typing as npt

import dezero.functions as F
import dezero.utils
from dezero.core import Array, Operand, Variable, as_variable
from dezero.functions.conv import IntPair
from dezero.layers import BatchNorm, Conv2d, Layer, Linear
from dezero.utils import plot_dot_graph

if TYPE_CHECKING:
    from PIL.Image import Image

Activation = Callable[[Variable], Variable]


class Model(Layer):
    """A Layer that is a whole network; adds :meth:`plot`."""

    def plot(self, *inputs: Operand, to_file: str = "model.png") -> str:
        """Run ``forward`` on ``inputs`` and draw its graph with Graphviz (see
        :func:`dezero.utils.plot_dot_graph`); returns the file's path."""
        y = self.forward(*inputs)
        return plot_dot_graph(y, verbose=True, to_file=to_file)


class Sequential(Model):
    """Apply ``layers`` in order. A layer may also be any function from Variable to
    Variable (``F.relu``); Layers among them are registered as ``l0``, ``l1``, ...
    by position, so their parameters belong to this model."""

    def __init__(self, *layers: Union[Layer, Activation]) -> None:
        super().__init__()
        self.layers: list[Union[Layer, Activation]] = []
        for i, layer in enumerate(layers):
            if isinstance(layer, Layer):
                setattr(self, f"l{i}", layer)
            elif not callable(layer):
                raise TypeError(f"Sequential takes Layers or functions, got {type(layer).__name__} at {i}")
            self.layers.append(layer)

    def forward(self, x: Operand) -> Variable:
        y = x
        for layer in self.layers:
            y = layer(y) if isinstance(layer, Layer) else layer(as_variable(y))
        return as_variable(y)


class MLP(Model):
    """Fully connected layers of sizes ``fc_output_sizes`` (input size inferred), with
    ``activation`` between them and none after the last."""

    def __init__(
        self,
        fc_output_sizes: Sequence[int],
        activation: Activation = F.sigmoid,
        *,
        dtype: npt.DTypeLike = np.float32,
        rng: np.random.Generator | None = None,
    ) -> None:
        super().__init__()
        if isinstance(fc_output_sizes, (int, str)) or len(fc_output_sizes) == 0:
            raise ValueError(f"MLP needs a non-empty sequence of layer sizes, got {fc_output_sizes!r}")
        self.activation = activation
        self.layers: list[Linear] = []
        for i, out_size in enumerate(fc_output_sizes):
            layer = Linear(out_size, dtype=dtype, rng=rng)
            setattr(self, f"l{i}", layer)
            self.layers.append(layer)

    def forward(self, x: Operand) -> Variable:
        y = x
        for layer in self.layers[:-1]:
            y = self.activation(layer(y))
        return self.layers[-1](y)



# --------------------------------------------------------------------- image classifiers


def _load_pretrained(model: Layer, url: str) -> None:
    model.load_weights(dezero.utils.get_file(url))


class VGG16(Model):
    """VGG-16 (Simonyan and Zisserman): 13 convolutions of 3 x 3 (padding 1) in five
    stages of 64, 128, 256, 512 and 512 channels, each stage ending in 2 x 2 max
    pooling, then fully connected layers of 4096, 4096 and 1000 units, with ReLU
    throughout and dropout after the first two. Input: (N, 3, 224, 224) images as
    :meth:`preprocess` makes them; output: (N, 1000) class scores."""

    WEIGHTS_PATH = "https://github.com/koki0702/dezero-models/releases/download/v0.1/vgg16.npz"
    STAGES = ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3))  # (channels, convolutions)

    def __init__(self, pretrained: bool = False) -> None:
        super().__init__()
        self.convs: list[Conv2d] = []
        for stage, (channels, count) in enumerate(self.STAGES, start=1):
            for k in range(1, count + 1):
                conv = Conv2d(channels, kernel_size=3, stride=1, pad=1)
                setattr(self, f"conv{stage}_{k}", conv)
                self.convs.append(conv)
        self.fc6 = Linear(4096)
        self.fc7 = Linear(4096)
        self.fc8 = Linear(1000)
        if pretrained:
            _load_pretrained(self, VGG16.WEIGHTS_PATH)

    def forward(self, x: Operand) -> Variable:
        h = as_variable(x)
        convs = iter(self.convs)
        for _, count in self.STAGES:
            for _ in range(count):
                h = F.relu(next(convs)(h))
            h = F.pooling(h, 2, 2)
        h = F.reshape(h, (h.shape[0], -1))
        h = F.dropout(F.relu(self.fc6(h)))
        h = F.dropout(F.relu(self.fc7(h)))
        return self.fc8(h)

    @staticmethod
    def preprocess(image: Image, size: tuple[int, int] | None = (224, 224), dtype: npt.DTypeLike = np.float32) -> Array:
        """A Pillow image as the network's input (3, H, W): RGB, resized to ``size``
        (width, height; None keeps the size), channels in BGR order minus the mean
        pixel of the training images (103.939, 116.779, 123.68)."""
        image = image.convert("RGB")
        if size:
            image = image.resize(size)
        pixels = np.asarray(image, dtype=dtype)[:, :, ::-1]
        pixels = pixels - np.array([103.939, 116.779, 123.68], dtype=dtype)
        result: Array = pixels.transpose((2, 0, 1))
        return result


class BottleneckA(Layer):
    """A residual block that changes the resolution and the number of channels:
    ``relu(bn3(conv3(relu(bn2(conv2(relu(bn1(conv1(x))))))) + bn4(conv4(x)))`` with
    1 x 1, 3 x 3 and 1 x 1 convolutions to ``mid_channels``, ``mid_channels`` and
    ``out_channels``, and a 1 x 1 shortcut ``conv4`` of stride ``stride``.

    ``stride`` is on the first 1 x 1 convolution (the original MSRA ResNet), or on
    the 3 x 3 one with ``downsample_fb`` (Facebook's). ``in_channels`` is taken from
    the input (the layers are lazy); it is accepted for the book's signature.
    """

    def __init__(
        self,
        in_channels: int | None,
        mid_channels: int,
        out_channels: int,
        stride: IntPair = 2,
        downsample_fb: bool = False,
    ) -> None:
        super().__init__()
        stride_1x1, stride_3x3 = (1, stride) if downsample_fb else (stride, 1)
        self.conv1 = Conv2d(mid_channels, 1, stride_1x1, 0, nobias=True)
        self.bn1 = BatchNorm()
        self.conv2 = Conv2d(mid_channels, 3, stride_3x3, 1, nobias=True)
        self.bn2 = BatchNorm()
        self.conv3 = Conv2d(out_channels, 1, 1, 0, nobias=True)
        self.bn3 = BatchNorm()
        self.conv4 = Conv2d(out_channels, 1, stride, 0, nobias=True)
        self.bn4 = BatchNorm()

    def forward(self, x: Operand) -> Variable:
        h = F.relu(self.bn1(self.conv1(x)))
        h = F.relu(self.bn2(self.conv2(h)))
        h = self.bn3(self.conv3(h))
        shortcut = self.bn4(self.conv4(x))
        return F.relu(h + shortcut)


class BottleneckB(Layer):
    """A residual block that keeps the resolution and the channels ``in_channels``:
    ``relu(bn3(conv3(relu(bn2(conv2(relu(bn1(conv1(x)))))))) + x)``, with 1 x 1,
    3 x 3 and 1 x 1 convolutions to ``mid_channels``, ``mid_channels`` and
    ``in_channels``."""

    def __init__(self, in_channels: int, mid_channels: int) -> None:
        super().__init__()
        self.conv1 = Conv2d(mid_channels, 1, 1, 0, nobias=True)
        self.bn1 = BatchNorm()
        self.conv2 = Conv2d(mid_channels, 3, 1, 1, nobias=True)
        self.bn2 = BatchNorm()
        self.conv3 = Conv2d(in_channels, 1, 1, 0, nobias=True)
        self.bn3 = BatchNorm()

    def forward(self, x: Operand) -> Variable:
        h = F.relu(self.bn1(self.conv1(x)))
        h = F.relu(self.bn2(self.conv2(h)))
        h = self.bn3(self.conv3(h))
        return F.relu(h + x)


class BuildingBlock(Layer):
    """A stage of ResNet: one :class:`BottleneckA` (``a``) then ``n_layers - 1``
    :class:`BottleneckB` (``b1``, ``b2``, ...), applied in that order."""

    def __init__(
        self,
        n_layers: int,
        in_channels: int | None,
        mid_channels: int,
        out_channels: int,
        stride: IntPair,
        downsample_fb: bool = False,
    ) -> None:
        super().__init__()
        if isinstance(n_layers, bool) or not isinstance(n_layers, int) or n_layers < 1:
            raise ValueError(f"BuildingBlock: n_layers must be an int of at least 1, got {n_layers!r}")
        self.a = BottleneckA(in_channels, mid_channels, out_channels, stride, downsample_fb)
        self.blocks: list[Layer] = [self.a]
        for i in range(1, n_layers):
            block = BottleneckB(out_channels, mid_channels)
            setattr(self, f"b{i}", block)
            self.blocks.append(block)

    def forward(self, x: Operand) -> Variable:
        h = as_variable(x)
        for block in self.blocks:
            h = block(h)
        return h


class ResNet(Model):
    """ResNet (He et al.) of ``n_layers`` = 50, 101 or 152: a 7 x 7 convolution of
    stride 2 to 64 channels with batch normalization and ReLU, 3 x 3 max pooling of
    stride 2, four stages of bottleneck blocks (256, 512, 1024 and 2048 channels;
    3, 4, 6, 3 blocks for 50 layers, 3, 4, 23, 3 for 101, 3, 8, 36, 3 for 152), global
    average pooling and a fully connected layer of 1000 units."""

    WEIGHTS_PATH = "https://github.com/koki0702/dezero-models/releases/download/v0.1/resnet{}.npz"
    BLOCKS = {50: (3, 4, 6, 3), 101: (3, 4, 23, 3), 152: (3, 8, 36, 3)}

    def __init__(self, n_layers: int = 152, pretrained: bool = False) -> None:
        super().__init__()
        if n_layers not in self.BLOCKS:
            raise ValueError(f"ResNet: n_layers must be 50, 101 or 152, got {n_layers!r}")
        blocks = self.BLOCKS[n_layers]
        self.conv1 = Conv2d(64, 7, 2, 3)
        self.bn1 = BatchNorm()
        self.res2 = BuildingBlock(blocks[0], 64, 64, 256, 1)
        self.res3 = BuildingBlock(blocks[1], 256, 128, 512, 2)
        self.res4 = BuildingBlock(blocks[2], 512, 256, 1024, 2)
        self.res5 = BuildingBlock(blocks[3], 1024, 512, 2048, 2)
        self.fc6 = Linear(1000)
        if pretrained:
            _load_pretrained(self, ResNet.WEIGHTS_PATH.format(n_layers))

    def forward(self, x: Operand) -> Variable:
        h = F.relu(self.bn1(self.conv1(x)))
        h = F.pooling(h, kernel_size=3, stride=2)
        h = self.res5(self.res4(self.res3(self.res2(h))))
        return self.fc6(_global_average_pooling(h))


class ResNet50(ResNet):
    def __init__(self, pretrained: bool = False) -> None:
        super().__init__(50, pretrained)


class ResNet101(ResNet):
    def __init__(self, pretrained: bool = False) -> None:
        super().__init__(101, pretrained)


class ResNet152(ResNet):
    def __init__(self, pretrained: bool = False) -> None:
        super().__init__(152, pretrained)


def _global_average_pooling(x: Variable) -> Variable:
    """The mean of each channel over the image: (N, C, H, W) to (N, C)."""
    n, channels, height, width = x.shape
    return F.reshape(F.average_pooling(x, (height, width), stride=1), (n, channels))


class Fire(Layer):
    """SqueezeNet's module: a 1 x 1 convolution to ``squeeze`` channels, then 1 x 1
    and 3 x 3 (padding 1) convolutions to ``expand1x1`` and ``expand3x3`` channels
    side by side, concatenated; ReLU after each convolution."""

    def __init__(self, squeeze: int, expand1x1: int, expand3x3: int) -> None:
        super().__init__()
        self.squeeze = Conv2d(squeeze, 1)
        self.expand1x1 = Conv2d(expand1x1, 1)
        self.expand3x3 = Conv2d(expand3x3, 3, pad=1)

    def forward(self, x: Operand) -> Variable:
        h = F.relu(self.squeeze(x))
        return F.concat([F.relu(self.expand1x1(h)), F.relu(self.expand3x3(h))], axis=1)


class SqueezeNet(Model):
    """SqueezeNet 1.1 (Iandola et al.): a 3 x 3 convolution of stride 2 to 64
    channels, eight :class:`Fire` modules with 3 x 3 max pooling of stride 2 after
    the first convolution and after fire3 and fire5, dropout, a 1 x 1 convolution to
    1000 channels with ReLU, and global average pooling: (N, 3, H, W) images to
    (N, 1000) scores.

    The book's class is an empty stub with no published weights, so
    ``pretrained=True`` is a ``ValueError``; ``load_weights`` loads a file of your own.
    """

    FIRES = ((16, 64), (16, 64), (32, 128), (32, 128), (48, 192), (48, 192), (64, 256), (64, 256))
    POOL_AFTER = {"fire3", "fire5"}

    def __init__(self, pretrained: bool = False) -> None:
        super().__init__()
        if pretrained:
            raise ValueError("SqueezeNet has no published weights; load a file of your own with load_weights")
        self.conv1 = Conv2d(64, 3, stride=2)
        self.fires: list[tuple[str, Fire]] = []
        for i, (squeeze, expand) in enumerate(self.FIRES, start=2):
            fire = Fire(squeeze, expand, expand)
            setattr(self, f"fire{i}", fire)
            self.fires.append((f"fire{i}", fire))
        self.conv10 = Conv2d(1000, 1)

    def forward(self, x: Operand) -> Variable:
        h = F.pooling(F.relu(self.conv1(x)), 3, 2)
        for name, fire in self.fires:
            h = fire(h)
            if name in self.POOL_AFTER:
                h = F.pooling(h, 3, 2)
        h = F.relu(self.conv10(F.dropout(h)))
        return _global_average_pooling(h)
