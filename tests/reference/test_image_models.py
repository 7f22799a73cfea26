"""The book's image classifiers: VGG16, ResNet and its blocks, SqueezeNet. Each is
checked against the published architecture (layer sizes, parameter counts worked out
from the papers' descriptions) and, on small inputs, against plain NumPy forwards.
Pretrained weights load from files the tests write: never the network."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

import dezero
import dezero.utils
from dezero.layers import Layer
from dezero.models import (
    VGG16,
    BottleneckA,
    BottleneckB,
    BuildingBlock,
    ResNet,
    ResNet50,
    ResNet101,
    ResNet152,
    SqueezeNet,
)
from strategies.catalogue.ops_nn import batch_norm_reference, conv2d_reference, pooling_reference
from strategies.implementation.protocols import Array

EPS = 2e-5  # BatchNorm's


@pytest.fixture(autouse=True)
def cache_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setattr(dezero.utils, "cache_dir", str(cache))
    return cache


def images(seed: int, *shape: int) -> Array:
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def relu(x: Array) -> Array:
    return np.maximum(x, 0)


def parameter_count(model: Layer) -> int:
    return sum(p.array.size for p in model.params())


def conv(layer: Layer, x: Array, stride: int = 1, pad: int = 0) -> Array:
    """The NumPy convolution with a dezero Conv2d layer's weights."""
    b = getattr(layer, "b")
    return conv2d_reference(x, getattr(layer, "W").array, None if b is None else b.array, (stride, stride), (pad, pad))


def bn_test_mode(x: Array) -> Array:
    """A fresh BatchNorm in test mode: running mean 0, variance 1, gamma 1, beta 0."""
    ones = np.ones(x.shape[1])
    return batch_norm_reference(x, ones, ones * 0, ones * 0, ones, eps=EPS)


# --------------------------------------------------------------------- VGG16

VGG16_CONVS = [("conv1_1", 64), ("conv1_2", 64), ("conv2_1", 128), ("conv2_2", 128),
               ("conv3_1", 256), ("conv3_2", 256), ("conv3_3", 256), ("conv4_1", 512),
               ("conv4_2", 512), ("conv4_3", 512), ("conv5_1", 512), ("conv5_2", 512), ("conv5_3", 512)]  # fmt: skip


def test_vgg16_is_the_published_network() -> None:
    """Thirteen 3 x 3 convolutions (padding 1) in five stages closed by 2 x 2 max
    pooling, then 4096, 4096 and 1000 units. On a 32 x 32 image the last stage is
    1 x 1 x 512, so fc6 has 512 inputs."""
    model = VGG16()
    x = images(0, 1, 3, 32, 32)
    with dezero.test_mode():
        y = model(x)
    assert y.shape == (1, 1000) and y.dtype == np.float32
    h = x.astype(np.float64)
    in_channels = 3
    for k, (name, channels) in enumerate(VGG16_CONVS):
        layer = getattr(model, name)
        assert layer.W.shape == (channels, in_channels, 3, 3)
        h = relu(conv(layer, h, pad=1))
        if name.endswith(("1_2", "2_2", "3_3", "4_3", "5_3")):
            h = pooling_reference(h, (2, 2), (2, 2), (0, 0))
        in_channels = channels
    h = h.reshape(1, -1)
    for name in ("fc6", "fc7", "fc8"):
        layer = getattr(model, name)
        h = h @ layer.W.array + layer.b.array
        h = relu(h) if name != "fc8" else h
    np.testing.assert_allclose(y.array, h, rtol=2e-3, atol=2e-4)
    convs = sum(9 * c_in * c + c for (_, c), c_in in zip(VGG16_CONVS, [3] + [c for _, c in VGG16_CONVS[:-1]]))
    assert parameter_count(model) == convs + (512 * 4096 + 4096) + (4096 * 4096 + 4096) + (4096 * 1000 + 1000)


def test_vgg16_preprocess_makes_the_network_s_input() -> None:
    pixels = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)  # (H, W, RGB)
    x = VGG16.preprocess(Image.fromarray(pixels), size=None)
    assert x.shape == (3, 2, 3) and x.dtype == np.float32
    red, green, blue = (pixels[:, :, c].astype(np.float32) for c in range(3))
    np.testing.assert_allclose(x[0], blue - 103.939, rtol=1e-6)
    np.testing.assert_allclose(x[1], green - 116.779, rtol=1e-6)
    np.testing.assert_allclose(x[2], red - 123.68, rtol=1e-6)
    grey = Image.fromarray(np.full((5, 7), 9, dtype=np.uint8))  # any mode becomes RGB
    assert VGG16.preprocess(grey).shape == (3, 224, 224)


def test_vgg16_pretrained_downloads_the_weights_once(tmp_path: Path, cache_in: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """The weights file is fetched from WEIGHTS_PATH into the cache folder and
    loaded. (A file holding the biases only is enough: the lazy weights have no
    shape yet, so the loader does not require them.)"""
    biases: dict[str, Any] = {f"{name}/b": np.full(c, k, dtype=np.float32) for k, (name, c) in enumerate(VGG16_CONVS)}
    biases["fc8/b"] = np.arange(1000, dtype=np.float32)
    biases.update({"fc6/b": np.zeros(4096, np.float32), "fc7/b": np.zeros(4096, np.float32)})
    source = tmp_path / "vgg16.npz"
    np.savez(source, **biases)
    monkeypatch.setattr(VGG16, "WEIGHTS_PATH", source.as_uri())
    model = VGG16(pretrained=True)
    assert (cache_in / "vgg16.npz").is_file()
    np.testing.assert_array_equal(getattr(model, "conv2_1").b.array, np.full(128, 2))
    assert model.fc8.b is not None
    np.testing.assert_array_equal(model.fc8.b.array, np.arange(1000))
    source.unlink()
    VGG16(pretrained=True)  # from the cache: the source is gone


# --------------------------------------------------------------------- ResNet


def test_bottleneck_a_changes_resolution_and_channels() -> None:
    block = BottleneckA(4, 3, 6, stride=2)
    x = images(1, 2, 4, 5, 5)
    with dezero.test_mode():
        y = block(x)
    assert y.shape == (2, 6, 3, 3)
    h = relu(bn_test_mode(conv(block.conv1, x, stride=2)))
    h = relu(bn_test_mode(conv(block.conv2, h, pad=1)))
    h = bn_test_mode(conv(block.conv3, h))
    shortcut = bn_test_mode(conv(block.conv4, x, stride=2))
    np.testing.assert_allclose(y.array, relu(h + shortcut), rtol=1e-4, atol=1e-5)
    facebook = BottleneckA(4, 3, 6, stride=2, downsample_fb=True)
    facebook(x)
    assert facebook.conv1.stride == (1, 1) and facebook.conv2.stride == (2, 2)
    assert block.conv1.stride == (2, 2) and block.conv2.stride == (1, 1)
    assert block.conv1.b is None  # no biases: batch normalization follows


def test_bottleneck_b_adds_its_input() -> None:
    block = BottleneckB(4, 2)
    x = images(2, 2, 4, 3, 3)
    with dezero.test_mode():
        y = block(x)
    h = relu(bn_test_mode(conv(block.conv1, x)))
    h = relu(bn_test_mode(conv(block.conv2, h, pad=1)))
    h = bn_test_mode(conv(block.conv3, h))
    np.testing.assert_allclose(y.array, relu(h + x), rtol=1e-4, atol=1e-5)


def test_building_block_is_one_a_then_b_blocks() -> None:
    stage = BuildingBlock(3, 4, 2, 8, 2)
    assert isinstance(stage.a, BottleneckA)
    assert [type(b) for b in stage.blocks] == [BottleneckA, BottleneckB, BottleneckB]
    assert [name for name, _ in stage.named_params()][:1] == ["a/conv1/W"]
    assert stage(images(3, 1, 4, 6, 6)).shape == (1, 8, 3, 3)
    with pytest.raises(ValueError, match="n_layers"):
        BuildingBlock(0, 4, 2, 8, 2)


def _bottleneck_a_params(c_in: int, mid: int, out: int) -> int:
    return c_in * mid + 9 * mid * mid + mid * out + c_in * out + 4 * (2 * mid + 2 * out)


def _bottleneck_b_params(c: int, mid: int) -> int:
    return c * mid + 9 * mid * mid + mid * c + 4 * (2 * mid + c)


@pytest.mark.parametrize(
    ("model_class", "blocks"),
    [(ResNet50, (3, 4, 6, 3)), (ResNet101, (3, 4, 23, 3)), (ResNet152, (3, 8, 36, 3))],
)
def test_resnet_stages(model_class: type[ResNet], blocks: tuple[int, ...]) -> None:
    model = model_class()
    assert [len(getattr(model, f"res{k}").blocks) for k in (2, 3, 4, 5)] == list(blocks)
    assert hasattr(model.res4, f"b{blocks[2] - 1}")


def test_resnet50_forward_and_parameter_count() -> None:
    """On a 32 x 32 image: 16 after conv1, 7 after pooling, then 7, 4, 2, 1. The
    count: every convolution, four numbers per batch-normalized channel (two running
    averages, scale, shift), conv1's and fc6's biases."""
    model = ResNet(50)
    with dezero.test_mode():
        y = model(images(4, 1, 3, 32, 32))
    assert y.shape == (1, 1000)
    count = 3 * 64 * 49 + 64 + 4 * 64 + 2048 * 1000 + 1000
    c_in = 64
    for n, mid, out in zip((3, 4, 6, 3), (64, 128, 256, 512), (256, 512, 1024, 2048)):
        count += _bottleneck_a_params(c_in, mid, out) + (n - 1) * _bottleneck_b_params(out, mid)
        c_in = out
    assert parameter_count(model) == count


def test_resnet_sizes() -> None:
    with pytest.raises(ValueError, match="50, 101 or 152"):
        ResNet(34)


def test_resnet_pretrained_names_its_file_by_depth(tmp_path: Path, cache_in: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    biases: dict[str, Any] = {"conv1/b": np.ones(64, np.float32), "fc6/b": np.ones(1000, np.float32)}
    np.savez(tmp_path / "resnet50.npz", **biases)
    monkeypatch.setattr(ResNet, "WEIGHTS_PATH", (tmp_path / "resnet{}.npz").as_uri().replace("%7B%7D", "{}"))
    model = ResNet50(pretrained=True)
    assert (cache_in / "resnet50.npz").is_file()
    assert model.conv1.b is not None
    np.testing.assert_array_equal(model.conv1.b.array, np.ones(64))


# --------------------------------------------------------------------- SqueezeNet


def test_squeezenet_is_squeezenet_1_1() -> None:
    """1,235,496 parameters: the published size of SqueezeNet 1.1."""
    model = SqueezeNet()
    with dezero.test_mode():
        y = model(images(5, 2, 3, 64, 64))
    assert y.shape == (2, 1000) and y.dtype == np.float32
    assert parameter_count(model) == 1_235_496
    fires = dict(model.fires)
    assert (fires["fire2"].squeeze.out_channels, fires["fire9"].expand3x3.out_channels) == (16, 256)


def test_a_fire_module_concatenates_its_two_expansions() -> None:
    model = SqueezeNet()
    fire = dict(model.fires)["fire3"]
    x = images(6, 1, 128, 4, 4)
    y = fire(x)
    squeezed = relu(conv(fire.squeeze, x))
    expected = np.concatenate([relu(conv(fire.expand1x1, squeezed)), relu(conv(fire.expand3x3, squeezed, pad=1))], 1)
    np.testing.assert_allclose(y.array, expected, rtol=1e-4, atol=1e-5)


def test_squeezenet_weights_round_trip(tmp_path: Path) -> None:
    x = images(7, 1, 3, 48, 48)
    model = SqueezeNet()
    with dezero.test_mode():
        y = model(x)
    model.save_weights(tmp_path / "squeezenet.npz")
    again = SqueezeNet()
    again.load_weights(tmp_path / "squeezenet.npz")
    with dezero.test_mode():
        np.testing.assert_array_equal(again(x).array, y.array)
    with pytest.raises(ValueError, match="no published weights"):
        SqueezeNet(pretrained=True)
