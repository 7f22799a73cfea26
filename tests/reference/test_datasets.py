"""Datasets and transforms. Downloadable datasets read small files the tests write in
the real formats; nothing here touches the network (downloads use file:// URLs)."""

from __future__ import annotations

import gzip
import io
import struct
import sys
import tarfile
import types
from pathlib import Path

import numpy as np
import pytest

import dezero.utils
from dezero.datasets import (
    CIFAR10,
    CIFAR100,
    MNIST,
    Dataset,
    ImageNet,
    Shakespear,
    SinCurve,
    Spiral,
    get_file,
    get_spiral,
    load_cache_npz,
    save_cache_npz,
)
from dezero.transforms import AsType, Compose, Flatten, Normalize, ToFloat, ToInt
from strategies.implementation.protocols import Array
from tests.reference.rng_check import global_draws_like, global_generator_untouched


@pytest.fixture(autouse=True)
def no_default_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Point the default cache at an empty folder, so no test reads ~/.dezero."""
    monkeypatch.setattr(dezero.utils, "cache_dir", str(tmp_path / "default-cache"))


# --------------------------------------------------------------------- generated


def test_spiral_shape_labels_and_geometry() -> None:
    x, t = get_spiral(train=True)
    assert x.shape == (300, 2) and x.dtype == np.float32
    assert t.shape == (300,) and t.dtype == np.int64
    assert np.bincount(t).tolist() == [100, 100, 100]
    radius = np.hypot(x[:, 0], x[:, 1])
    assert radius.min() >= 0 and radius.max() < 1  # radius i / 100, i < 100
    assert len(np.unique(np.round(radius, 5))) == 100  # the same radii in each arm


def test_spiral_is_deterministic_per_split_and_leaves_the_global_generator_alone() -> None:
    with global_generator_untouched():
        a, b, test = Spiral(train=True), Spiral(train=True), Spiral(train=False)
    assert a.data is not None and b.data is not None and test.data is not None
    np.testing.assert_array_equal(a.data, b.data)
    assert not np.array_equal(a.data, test.data)
    x, t = a[0]
    assert x.shape == (2,) and t is not None and t.shape == ()
    assert len(a) == 300


# The book's get_spiral at its seeds (facts: its first points and labels, and the
# float64 sum of its 600 coordinates), which the reference reproduces bit for bit.
BOOK_SPIRAL = {
    True: ([[-0.1398138850927353, -0.007216573692858219], [0.37049391865730286, 0.5820947289466858],
            [0.13742630183696747, -0.17179642617702484]],
           [1, 1, 2, 0, 1, 2, 0, 0, 1, 2, 1, 1, 2, 1, 1, 2, 1, 2, 2, 1], -13.916731213830644),
    False: ([[0.13246452808380127, 0.13620993494987488], [-0.31427156925201416, 0.24745377898216248],
             [-0.41630831360816956, -0.7525206804275513]],
            [0, 1, 0, 1, 2, 2, 1, 2, 2, 0, 1, 1, 0, 2, 2, 2, 0, 0, 2, 2], -11.263850776544132),
}  # fmt: skip


@pytest.mark.parametrize("train", [True, False])
def test_spiral_is_the_book_s_data(train: bool) -> None:
    first_points, first_labels, total = BOOK_SPIRAL[train]
    x, t = get_spiral(train)
    assert x[:3].tolist() == first_points
    assert t[:20].tolist() == first_labels
    assert float(x.astype(np.float64).sum()) == total
    assert np.bincount(t).tolist() == [100, 100, 100]


def test_sincurve_pairs_each_value_with_the_next() -> None:
    np.random.seed(3)
    train, test = SinCurve(train=True), SinCurve(train=False)
    assert len(train) == 999
    assert train.data is not None and train.label is not None and test.data is not None
    np.testing.assert_array_equal(train.data[1:], train.label[:-1])
    grid = np.linspace(0, 2 * np.pi, 1000)
    np.testing.assert_allclose(test.data, np.cos(grid[:-1]).reshape(-1, 1))
    np.random.seed(3)
    noise = np.random.uniform(-0.05, 0.05, 1000)
    np.testing.assert_array_equal(train.data[:, 0], (np.sin(grid) + noise)[:-1])


def test_sincurve_draws_its_noise_as_the_book_does() -> None:
    """Both splits draw 1000 uniform numbers from the global generator (the test
    split ignores them); with rng= the global generator is left alone."""
    with global_draws_like(lambda: np.random.uniform(-0.05, 0.05, size=1000)):
        SinCurve(train=True)
    with global_draws_like(lambda: np.random.uniform(-0.05, 0.05, size=1000)):
        SinCurve(train=False)
    with global_generator_untouched():
        a = SinCurve(rng=np.random.default_rng(5))
        b = SinCurve(rng=np.random.default_rng(5))
    assert a.data is not None and b.data is not None
    np.testing.assert_array_equal(a.data, b.data)
    with pytest.raises(TypeError, match="Generator"):
        SinCurve(rng=5)  # type: ignore[arg-type]


def test_transforms_are_applied_to_examples_and_labels() -> None:
    dataset = Spiral(transform=lambda x: x * 2, target_transform=lambda t: t + 10)
    raw = Spiral()
    assert raw.data is not None and raw.label is not None
    x, t = dataset[5]
    np.testing.assert_array_equal(x, raw.data[5] * 2)
    assert t == raw.label[5] + 10


def test_an_unlabeled_dataset_gives_none_labels() -> None:
    class Points(Dataset):
        def prepare(self) -> None:
            self.data = np.arange(6.0).reshape(3, 2)

    points = Points()
    x, t = points[1]
    assert t is None and x.tolist() == [2.0, 3.0] and len(points) == 3


def test_dataset_errors() -> None:
    with pytest.raises(TypeError, match="one int"):
        Spiral()[1:3]  # type: ignore[index]
    with pytest.raises(ValueError, match="no data"):
        len(Dataset())


# --------------------------------------------------------------------- transforms


def test_transforms() -> None:
    image = np.arange(12, dtype=np.uint8).reshape(3, 2, 2)
    flat = Compose([Flatten(), ToFloat(), Normalize(0.0, 255.0)])(image)
    assert flat.shape == (12,) and flat.dtype == np.float32
    np.testing.assert_allclose(flat, np.arange(12) / 255, rtol=1e-6)
    per_channel = Normalize(mean=[0, 4, 8], std=[1, 2, 4])(image.astype(np.float64))
    np.testing.assert_allclose(per_channel[1], (image[1] - 4) / 2)
    assert ToInt()(np.array([1.7])).dtype == np.int64
    assert AsType(np.float16)(image).dtype == np.float16
    assert Compose()(image) is image


# --------------------------------------------------------------------- downloads


def write_idx(path: Path, array: Array) -> None:
    header = bytes([0, 0, 8, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    with gzip.open(path, "wb") as handle:
        handle.write(header + array.astype(np.uint8).tobytes())


def make_mnist(root: Path, train: bool, n: int) -> tuple[Array, Array]:
    rng = np.random.default_rng(n)
    images = rng.integers(0, 256, (n, 28, 28)).astype(np.uint8)
    labels = rng.integers(0, 10, n).astype(np.uint8)
    image_file, label_file = MNIST.files[train]
    write_idx(root / image_file, images)
    write_idx(root / label_file, labels)
    return images, labels


def test_mnist_reads_idx_files(tmp_path: Path) -> None:
    images, labels = make_mnist(tmp_path, True, 7)
    make_mnist(tmp_path, False, 3)
    train = MNIST(train=True, root=tmp_path)
    assert len(train) == 7
    assert train.data is not None and train.data.shape == (7, 1, 28, 28) and train.data.dtype == np.uint8
    x, t = train[4]
    assert x.shape == (784,) and x.dtype == np.float32
    np.testing.assert_allclose(x, images[4].reshape(-1) / 255, rtol=1e-6)
    assert t == labels[4]
    raw = MNIST(train=False, transform=None, root=tmp_path)
    assert len(raw) == 3 and raw[0][0].shape == (1, 28, 28)
    assert MNIST.labels()[3] == "3"


def test_mnist_rejects_broken_files(tmp_path: Path) -> None:
    image_file, label_file = MNIST.files[True]
    write_idx(tmp_path / label_file, np.zeros(5))
    with gzip.open(tmp_path / image_file, "wb") as handle:
        handle.write(b"\x00\x00\x0d\x03" + b"\x00" * 12)  # float data: not ubyte
    with pytest.raises(ValueError, match="not an IDX file of unsigned bytes"):
        MNIST(root=tmp_path)
    with gzip.open(tmp_path / image_file, "wb") as handle:
        handle.write(bytes([0, 0, 8, 3]) + struct.pack(">3I", 5, 28, 28) + b"\x00" * 100)
    with pytest.raises(ValueError, match="bytes of data"):
        MNIST(root=tmp_path)
    write_idx(tmp_path / image_file, np.zeros((4, 28, 28)))
    with pytest.raises(ValueError, match="do not match"):
        MNIST(root=tmp_path)


def make_cifar(root: Path, per_batch: int) -> dict[str, Array]:
    rng = np.random.default_rng(per_batch)
    records = {}
    with tarfile.open(root / "cifar-10-binary.tar.gz", "w:gz") as tar:
        for name in [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]:
            record = rng.integers(0, 256, (per_batch, 3073)).astype(np.uint8)
            record[:, 0] %= 10
            records[name] = record
            payload = record.tobytes()
            info = tarfile.TarInfo(f"cifar-10-batches-bin/{name}")
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
    return records


def test_cifar10_reads_the_binary_distribution(tmp_path: Path) -> None:
    records = make_cifar(tmp_path, 2)
    train = CIFAR10(train=True, transform=None, root=tmp_path)
    assert len(train) == 10
    assert train.data is not None and train.data.shape == (10, 3, 32, 32)
    fourth = records["data_batch_2.bin"][1]  # batches in order, two records each
    x, t = train[3]
    np.testing.assert_array_equal(x, fourth[1:].reshape(3, 32, 32))
    assert t == fourth[0]
    test = CIFAR10(train=False, root=tmp_path)
    x, _ = test[1]
    assert x.shape == (3072,) and x.dtype == np.float32 and -1 <= x.min() and x.max() <= 1
    np.testing.assert_allclose(x, records["test_batch.bin"][1, 1:] / 255 * 2 - 1, rtol=1e-5, atol=1e-6)
    assert CIFAR10.labels()[0] == "airplane"


def test_shakespear_numbers_characters_in_order_of_appearance(tmp_path: Path) -> None:
    (tmp_path / "shakespear.txt").write_text("to be, or not to be", encoding="utf-8")
    text = Shakespear(root=tmp_path)
    assert list(text.char_to_id)[:4] == ["t", "o", " ", "b"]
    assert text.data is not None and text.label is not None
    decoded = "".join(text.id_to_char[int(i)] for i in text.data) + text.id_to_char[int(text.label[-1])]
    assert decoded == "to be, or not to be"
    np.testing.assert_array_equal(text.data[1:], text.label[:-1])


def test_get_file_returns_a_cached_file_without_fetching(tmp_path: Path) -> None:
    (tmp_path / "data.bin").write_bytes(b"cached")
    path = get_file("unfetchable://nowhere/data.bin", root=tmp_path)
    assert Path(path).read_bytes() == b"cached"


def test_get_file_downloads_what_is_missing(tmp_path: Path) -> None:
    source = tmp_path / "source" / "payload.txt"
    source.parent.mkdir()
    source.write_bytes(b"hello")
    path = get_file(source.as_uri(), root=tmp_path / "cache")
    assert Path(path) == tmp_path / "cache" / "payload.txt" and Path(path).read_bytes() == b"hello"
    renamed = get_file(source.as_uri(), "other.txt", root=tmp_path / "cache")
    assert Path(renamed).name == "other.txt"


def test_a_failed_download_leaves_nothing_behind(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        get_file((tmp_path / "missing.txt").as_uri(), root=tmp_path / "cache")
    assert list((tmp_path / "cache").iterdir()) == []


def test_the_default_root_is_the_cache_dir_of_utils(tmp_path: Path) -> None:
    cache = Path(dezero.utils.cache_dir)
    cache.mkdir(parents=True)
    (cache / "shakespear.txt").write_text("ab", encoding="utf-8")
    assert len(Shakespear()) == 1


def make_cifar100(root: Path, n: int) -> dict[bool, Array]:
    rng = np.random.default_rng(n)
    records = {}
    with tarfile.open(root / "cifar-100-binary.tar.gz", "w:gz") as tar:
        for train, name in ((True, "train.bin"), (False, "test.bin")):
            record = rng.integers(0, 256, (n, 2 + 3072)).astype(np.uint8)
            record[:, 0] %= 20
            record[:, 1] %= 100
            records[train] = record
            payload = record.tobytes()
            info = tarfile.TarInfo(f"cifar-100-binary/{name}")
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
    return records


def test_cifar100_reads_fine_or_coarse_labels(tmp_path: Path) -> None:
    records = make_cifar100(tmp_path, 3)
    fine = CIFAR100(train=True, transform=None, root=tmp_path)
    coarse = CIFAR100(train=False, transform=None, label_type="coarse", root=tmp_path)
    assert fine.label is not None and coarse.label is not None and fine.data is not None
    assert fine.label.tolist() == records[True][:, 1].tolist()
    assert coarse.label.tolist() == records[False][:, 0].tolist()
    np.testing.assert_array_equal(fine.data[2], records[True][2, 2:].reshape(3, 32, 32))
    x, _ = CIFAR100(train=False, root=tmp_path)[0]
    assert x.shape == (3072,) and x.dtype == np.float32
    with pytest.raises(ValueError, match="label_type"):
        CIFAR100(label_type="medium", root=tmp_path)


def test_cifar100_class_names() -> None:
    fine, coarse = CIFAR100.labels(), CIFAR100.labels("coarse")
    assert len(fine) == 100 and len(set(fine.values())) == 100
    assert (fine[0], fine[19], fine[99]) == ("apple", "cattle", "worm")
    assert len(coarse) == 20 and (coarse[0], coarse[19]) == ("aquatic mammals", "vehicles 2")
    with pytest.raises(ValueError, match="label_type"):
        CIFAR100.labels("medium")


def test_imagenet_labels_are_read_without_evaluating_the_file(tmp_path: Path) -> None:
    (tmp_path / "imagenet1000_clsidx_to_labels.txt").write_text(
        "{0: 'tench, Tinca tinca',\n 1: 'goldfish, Carassius auratus'}", encoding="utf-8"
    )
    assert ImageNet.labels(root=tmp_path) == {0: "tench, Tinca tinca", 1: "goldfish, Carassius auratus"}
    (tmp_path / "imagenet1000_clsidx_to_labels.txt").write_text("__import__('os')", encoding="utf-8")
    with pytest.raises(ValueError):
        ImageNet.labels(root=tmp_path)
    with pytest.raises(NotImplementedError, match="labels"):
        ImageNet()


def test_imagenet_labels_download_into_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "source.txt"
    source.write_text("{7: 'cock'}", encoding="utf-8")
    monkeypatch.setattr(ImageNet, "labels_url", source.as_uri())
    assert ImageNet.labels() == {7: "cock"}
    assert (Path(dezero.utils.cache_dir) / "source.txt").exists()


def test_save_and_load_cache_npz(tmp_path: Path) -> None:
    url = "https://example.org/files/data.tar.gz"
    data, label = np.arange(12.0).reshape(3, 4), np.array([2, 0, 1])
    assert load_cache_npz(url, train=True) == (None, None)
    path = save_cache_npz(data, label, url, train=True)
    assert path == str(Path(dezero.utils.cache_dir) / "data.tar.gz.train.npz")
    assert save_cache_npz(data * 0, label, url, train=True) is None  # present: left as it is
    loaded_data, loaded_label = load_cache_npz(url, train=True)
    assert loaded_data is not None and loaded_label is not None
    np.testing.assert_array_equal(loaded_data, data)
    np.testing.assert_array_equal(loaded_label, label)
    assert load_cache_npz(url, train=False) == (None, None)
    assert save_cache_npz(data, label, "data.tar.gz", root=tmp_path / "elsewhere") == str(
        tmp_path / "elsewhere" / "data.tar.gz.test.npz"
    )


class FakePyplot(types.ModuleType):
    """Stands for matplotlib.pyplot: records what would be shown."""

    def __init__(self) -> None:
        super().__init__("matplotlib.pyplot")
        self.shown: list[tuple[Array, str | None]] = []

    def imshow(self, image: Array, cmap: str | None = None, interpolation: str | None = None) -> None:
        self.shown.append((image, cmap))

    def axis(self, setting: str) -> None:
        assert setting == "off"

    def show(self) -> None:
        pass


def fake_pyplot(monkeypatch: pytest.MonkeyPatch) -> FakePyplot:
    pyplot = FakePyplot()
    package = types.ModuleType("matplotlib")
    package.pyplot = pyplot  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "matplotlib", package)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", pyplot)
    return pyplot


def test_show_tiles_images_picked_as_the_book_picks_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    images, _ = make_mnist(tmp_path, True, 7)
    make_cifar(tmp_path, 2)
    pyplot = fake_pyplot(monkeypatch)
    np.random.seed(11)
    with global_draws_like(lambda: [np.random.randint(0, 6) for _ in range(6)]):
        MNIST(root=tmp_path).show(row=2, col=3)
    np.random.seed(11)
    picks = [np.random.randint(0, 6) for _ in range(6)]
    grid, cmap = pyplot.shown[0]
    assert grid.shape == (56, 84) and cmap == "gray"
    np.testing.assert_array_equal(grid[28:56, 28:56], images[picks[4]])  # row 1, column 1
    cifar = CIFAR10(root=tmp_path)
    cifar.show(row=1, col=2)
    grid, _ = pyplot.shown[1]
    assert grid.shape == (32, 64, 3) and 0 <= grid.min() and grid.max() <= 1


def test_show_without_matplotlib_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_mnist(tmp_path, True, 2)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match="pip install matplotlib"):
        MNIST(root=tmp_path).show(1, 1)
