"""Datasets: indexable collections of ``(example, label)`` pairs.

Generated datasets: :class:`Spiral` is the book's data, drawn from a private
generator with the book's seed (the global NumPy generator is never re-seeded,
unless ``Config.book_random`` asks for the book's behaviour);
:class:`SinCurve` draws its noise from NumPy's global generator, as the book does.

Downloaded datasets (:class:`MNIST`, :class:`CIFAR10`, :class:`CIFAR100`,
:class:`Shakespear`, the labels of :class:`ImageNet`) look for their files in
``root`` (default :data:`dezero.utils.cache_dir`, ``~/.dezero``) and download only
what is missing, with :func:`dezero.utils.get_file`. Files are parsed as raw bytes or
text: nothing is unpickled or evaluated.
"""

from __future__ import annotations

import ast
import gzip
import os
import struct
import sys
import tarfile
from typing import Protocol

import numpy as np

import dezero.utils
from dezero import _random
from dezero._config import book_random_enabled
from dezero._files import atomic_write
from dezero._image_grid import show_images
from dezero.core import Array
from dezero.transforms import Compose, Flatten, Normalize, ToFloat, Transform, identity
from dezero.utils import PathLike, cache_dir, get_file

__all__ = [
    "CIFAR10",
    "CIFAR100",
    "MNIST",
    "Dataset",
    "ImageNet",
    "Shakespear",
    "SinCurve",
    "Spiral",
    "cache_dir",
    "get_file",
    "get_spiral",
    "load_cache_npz",
    "read_idx",
    "save_cache_npz",
]


class Dataset:
    """Base class: ``prepare()`` fills ``data`` (and ``label``, or leaves it None);
    ``dataset[i]`` is ``(transform(data[i]), target_transform(label[i]))``, with
    None for the label of an unlabeled dataset."""

    data: Array | None
    label: Array | None

    def __init__(
        self,
        train: bool = True,
        transform: Transform | None = None,
        target_transform: Transform | None = None,
    ) -> None:
        self.train = train
        self.transform: Transform = transform or identity
        self.target_transform: Transform = target_transform or identity
        self.data = None
        self.label = None
        self.prepare()

    def prepare(self) -> None:
        """Load or generate ``data`` and ``label``; the base class has none."""

    def _checked_data(self) -> Array:
        if self.data is None:
            raise ValueError(f"{type(self).__name__} has no data: prepare() did not set it")
        return self.data

    def __getitem__(self, index: int) -> tuple[Array, Array | None]:
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise TypeError(f"a dataset is indexed by one int, got {index!r}")
        x = self.transform(np.asarray(self._checked_data()[index]))
        if self.label is None:
            return x, None
        return x, self.target_transform(np.asarray(self.label[index]))

    def __len__(self) -> int:
        return len(self._checked_data())


# --------------------------------------------------------------------- generated


class _Draws(Protocol):
    """Where ``get_spiral`` draws: a ``RandomState``, or ``numpy.random`` itself."""

    def randn(self, d0: int, /) -> Array: ...

    def permutation(self, x: int, /) -> Array: ...


def get_spiral(train: bool = True) -> tuple[Array, Array]:
    """Three interleaved spiral arms of 100 points each in the plane: the book's data.

    Returns ``x`` (300, 2) float32 and labels ``t`` (300,) int64, shuffled. Point
    ``i`` of arm ``j`` lies at radius ``i / 100`` and angle ``4 j + 4 i / 100`` plus
    Gaussian noise of standard deviation 0.2. The numbers come from a private
    ``numpy.random.RandomState`` seeded with the book's seed (1984 for training,
    2020 for test) and drawn in the book's order, so the points are the book's; the
    book seeds NumPy's global generator instead, which this leaves alone.

    With ``Config.book_random`` on (``using_config("book_random", True)``, or the
    environment variable ``DEZERO_BOOK_RANDOM=1`` when dezero is imported), it does
    what the book does: seeds NumPy's global generator and draws these same numbers
    from it, leaving it where the book's leaves it, so that a program that relies
    on that (the book's steps 48-50) draws the book's weights and shuffles.
    """
    generator: _Draws
    if book_random_enabled():
        np.random.seed(1984 if train else 2020)  # the book's re-seeding, asked for
        generator = np.random
    else:
        generator = np.random.RandomState(1984 if train else 2020)
    per_class, classes = 100, 3
    rate = np.arange(per_class) / per_class
    xs, ts = [], []
    for arm in range(classes):
        angle = arm * 4.0 + 4.0 * rate + generator.randn(per_class) * 0.2
        xs.append(np.stack([rate * np.sin(angle), rate * np.cos(angle)], axis=1))
        ts.append(np.full(per_class, arm, dtype=np.int64))
    order = generator.permutation(per_class * classes)
    return np.concatenate(xs).astype(np.float32)[order], np.concatenate(ts)[order]


class Spiral(Dataset):
    """:func:`get_spiral` as a dataset: examples (2,) float32, labels int64 in {0, 1, 2}
    (with ``Config.book_random`` on, it re-seeds NumPy's global generator as the
    book's does)."""

    def prepare(self) -> None:
        self.data, self.label = get_spiral(self.train)


class SinCurve(Dataset):
    """Predict the next value of a curve: ``data[i] = y[i]``, ``label[i] = y[i + 1]``,
    each of shape (1,), for 1000 points ``y`` on ``[0, 2 pi]``.

    Training: ``sin`` plus noise uniform in [-0.05, 0.05); test: ``cos``. As in the
    book, both draw the 1000 noise values from NumPy's global generator (the test
    split then ignores them), or from ``rng`` when given.
    """

    def __init__(
        self,
        train: bool = True,
        transform: Transform | None = None,
        target_transform: Transform | None = None,
        *,
        rng: np.random.Generator | None = None,
    ) -> None:
        self.rng = _random.checked(rng)
        super().__init__(train, transform, target_transform)

    def prepare(self) -> None:
        x = np.linspace(0, 2 * np.pi, 1000)
        noise = _random.uniform(-0.05, 0.05, x.shape, self.rng)
        y = np.sin(x) + noise if self.train else np.cos(x)
        y = y.reshape(-1, 1)
        self.data, self.label = y[:-1], y[1:]


# --------------------------------------------------------------------- downloads


def read_idx(path: PathLike) -> Array:
    """An IDX array of unsigned bytes (the MNIST format), gzip-compressed.

    ``ValueError`` when the header is not that of a ubyte IDX file or the data is
    shorter or longer than its dimensions say.
    """
    with gzip.open(path, "rb") as handle:
        raw = handle.read()
    if len(raw) < 4 or raw[:3] != b"\x00\x00\x08":
        raise ValueError(f"{os.fspath(path)!r} is not an IDX file of unsigned bytes")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{os.fspath(path)!r}: truncated IDX header")
    dims = struct.unpack(f">{ndim}I", raw[4:header])
    data = np.frombuffer(bytearray(raw[header:]), dtype=np.uint8)
    if data.size != int(np.prod(dims)):
        raise ValueError(f"{os.fspath(path)!r}: {data.size} bytes of data for dimensions {dims}")
    return data.reshape(dims)


def _random_images(data: Array, count: int) -> list[Array]:
    """``count`` images of ``data`` picked as the book's ``show`` picks them: one
    ``np.random.randint(0, len(data) - 1)`` per image (the last image is never
    picked, as in the book)."""
    return [data[_random.integer(0, len(data) - 1)] for _ in range(count)]


_MNIST_TRANSFORM = Compose([Flatten(), ToFloat(), Normalize(0.0, 255.0)])


class MNIST(Dataset):
    """Handwritten digits: images (1, 28, 28) uint8 and labels uint8 in 0..9;
    60,000 for training, 10,000 for test. The default transform gives flat float32
    vectors in [0, 1]."""

    url = "https://ossci-datasets.s3.amazonaws.com/mnist/"
    files = {
        True: ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
        False: ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
    }

    def __init__(
        self,
        train: bool = True,
        transform: Transform | None = _MNIST_TRANSFORM,
        target_transform: Transform | None = None,
        *,
        root: PathLike | None = None,
    ) -> None:
        self.root = root
        super().__init__(train, transform, target_transform)

    def prepare(self) -> None:
        image_file, label_file = self.files[self.train]
        images = read_idx(get_file(self.url + image_file, root=self.root))
        labels = read_idx(get_file(self.url + label_file, root=self.root))
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise ValueError(
                f"MNIST: images of shape {images.shape} and labels of shape {labels.shape} do not match"
            )
        self.data = images.reshape(len(images), 1, images.shape[1], images.shape[2])
        self.label = labels

    def show(self, row: int = 10, col: int = 10) -> None:
        """Show ``row`` x ``col`` random images in one grey-scale figure (matplotlib),
        picked with NumPy's global generator as in the book."""
        images = _random_images(self._checked_data(), row * col)
        show_images([image.reshape(image.shape[-2:]) for image in images], row, col, cmap="gray")

    @staticmethod
    def labels() -> dict[int, str]:
        return {i: str(i) for i in range(10)}


def _read_records(archive: str, members: list[str], record_size: int, dataset: str) -> Array:
    """The fixed-size records of ``members`` of a ``.tar.gz`` archive, one per row
    (uint8), in member order."""
    chunks = []
    with tarfile.open(archive, "r:gz") as tar:
        for name in members:
            member = tar.extractfile(name)
            if member is None:
                raise ValueError(f"{dataset}: {name} in {archive!r} is not a file")
            raw = member.read()
            if len(raw) % record_size:
                raise ValueError(f"{dataset}: {name} is not a whole number of records")
            chunks.append(np.frombuffer(raw, dtype=np.uint8).reshape(-1, record_size))
    return np.concatenate(chunks)


_CIFAR_TRANSFORM = Compose([Flatten(), ToFloat(), Normalize(0.0, 255.0), Normalize(0.5, 0.5)])
_CIFAR_PIXELS = 3 * 32 * 32


class CIFAR10(Dataset):
    """Colour images (3, 32, 32) uint8 in 10 classes (labels uint8); 50,000 for
    training, 10,000 for test. Read from the dataset's binary distribution (no
    pickles). The default transform gives flat float32 vectors in [-1, 1]."""

    url = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"
    folder = "cifar-10-batches-bin"
    record_size = 1 + _CIFAR_PIXELS

    def __init__(
        self,
        train: bool = True,
        transform: Transform | None = _CIFAR_TRANSFORM,
        target_transform: Transform | None = None,
        *,
        root: PathLike | None = None,
    ) -> None:
        self.root = root
        super().__init__(train, transform, target_transform)

    def prepare(self) -> None:
        names = [f"data_batch_{i}.bin" for i in range(1, 6)] if self.train else ["test_batch.bin"]
        members = [f"{self.folder}/{name}" for name in names]
        records = _read_records(get_file(self.url, root=self.root), members, self.record_size, "CIFAR10")
        self.label = records[:, 0].copy()
        self.data = records[:, 1:].reshape(-1, 3, 32, 32).copy()

    def show(self, row: int = 10, col: int = 10) -> None:
        """Show ``row`` x ``col`` random images in one figure (matplotlib), picked
        with NumPy's global generator as in the book."""
        images = _random_images(self._checked_data(), row * col)
        show_images([image.reshape(3, 32, 32).transpose(1, 2, 0) / 255 for image in images], row, col)

    @staticmethod
    def labels() -> dict[int, str]:
        names = "airplane automobile bird cat deer dog frog horse ship truck".split()
        return dict(enumerate(names))


class CIFAR100(CIFAR10):
    """Colour images (3, 32, 32) uint8 in 100 classes, grouped in 20 superclasses:
    ``label_type`` ``"fine"`` (the default) gives labels in 0..99, ``"coarse"`` in
    0..19. 50,000 for training, 10,000 for test, read from the binary distribution;
    the default transform is :class:`CIFAR10`'s."""

    url = "https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz"
    folder = "cifar-100-binary"
    record_size = 2 + _CIFAR_PIXELS

    def __init__(
        self,
        train: bool = True,
        transform: Transform | None = _CIFAR_TRANSFORM,
        target_transform: Transform | None = None,
        label_type: str = "fine",
        *,
        root: PathLike | None = None,
    ) -> None:
        if label_type not in ("fine", "coarse"):
            raise ValueError(f"CIFAR100: label_type must be 'fine' or 'coarse', got {label_type!r}")
        self.label_type = label_type
        super().__init__(train, transform, target_transform, root=root)

    def prepare(self) -> None:
        member = f"{self.folder}/{'train' if self.train else 'test'}.bin"
        records = _read_records(get_file(self.url, root=self.root), [member], self.record_size, "CIFAR100")
        self.label = records[:, 0 if self.label_type == "coarse" else 1].copy()
        self.data = records[:, 2:].reshape(-1, 3, 32, 32).copy()

    @staticmethod
    def labels(label_type: str = "fine") -> dict[int, str]:
        """Class names by label: the 100 fine classes or the 20 coarse ones."""
        if label_type == "fine":
            return dict(enumerate(_CIFAR100_FINE.split()))
        if label_type == "coarse":
            return dict(enumerate(_CIFAR100_COARSE))
        raise ValueError(f"CIFAR100: label_type must be 'fine' or 'coarse', got {label_type!r}")


_CIFAR100_FINE = """
    apple aquarium_fish baby bear beaver bed bee beetle bicycle bottle bowl boy bridge bus
    butterfly camel can castle caterpillar cattle chair chimpanzee clock cloud cockroach
    couch crab crocodile cup dinosaur dolphin elephant flatfish forest fox girl hamster
    house kangaroo keyboard lamp lawn_mower leopard lion lizard lobster man maple_tree
    motorcycle mountain mouse mushroom oak_tree orange orchid otter palm_tree pear
    pickup_truck pine_tree plain plate poppy porcupine possum rabbit raccoon ray road rocket
    rose sea seal shark shrew skunk skyscraper snail snake spider squirrel streetcar
    sunflower sweet_pepper table tank telephone television tiger tractor train trout tulip
    turtle wardrobe whale willow_tree wolf woman worm
"""  # the dataset's own names, in label order

_CIFAR100_COARSE = [
    "aquatic mammals", "fish", "flowers", "food containers", "fruit and vegetables",
    "household electrical devices", "household furniture", "insects", "large carnivores",
    "large man-made outdoor things", "large natural outdoor scenes",
    "large omnivores and herbivores", "medium-sized mammals", "non-insect invertebrates",
    "people", "reptiles", "small mammals", "trees", "vehicles 1", "vehicles 2",
]  # fmt: skip


class ImageNet(Dataset):
    """Only the class names of ImageNet (ILSVRC 2012): the images are not
    distributed, so the dataset itself cannot be built."""

    labels_url = (
        "https://gist.githubusercontent.com/yrevar/942d3a0ac09ec9e5eb3a/raw/"
        "238f720ff059c1f82f368259d1ca4ffa5dd8f9f5/imagenet1000_clsidx_to_labels.txt"
    )

    def __init__(self) -> None:
        raise NotImplementedError("ImageNet's images are not available here; only ImageNet.labels() is")

    @staticmethod
    def labels(root: PathLike | None = None) -> dict[int, str]:
        """The 1000 class names by label, from the file the book uses (downloaded once
        into ``root``). The file is a Python dict literal, read with
        ``ast.literal_eval``: never executed."""
        path = get_file(ImageNet.labels_url, root=root)
        with open(path, encoding="utf-8") as handle:
            labels = ast.literal_eval(handle.read())
        if not isinstance(labels, dict) or not all(
            isinstance(k, int) and isinstance(v, str) for k, v in labels.items()
        ):
            raise ValueError(f"{path!r} is not a dict of class ids to names")
        return labels


class Shakespear(Dataset):
    """Characters of the tiny-Shakespeare text as ids: ``data[i]`` is a character,
    ``label[i]`` the next one. ``char_to_id`` numbers the characters in order of first
    appearance; ``id_to_char`` inverts it. (Spelled as in the book.)"""

    url = "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt"
    file_name = "shakespear.txt"

    def __init__(
        self,
        train: bool = True,
        transform: Transform | None = None,
        target_transform: Transform | None = None,
        *,
        root: PathLike | None = None,
    ) -> None:
        self.root = root
        self.char_to_id: dict[str, int] = {}
        self.id_to_char: dict[int, str] = {}
        super().__init__(train, transform, target_transform)

    def prepare(self) -> None:
        path = get_file(self.url, self.file_name, root=self.root)
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        for char in text:
            self.char_to_id.setdefault(char, len(self.char_to_id))
        self.id_to_char = {i: c for c, i in self.char_to_id.items()}
        ids = np.array([self.char_to_id[c] for c in text], dtype=np.int64)
        self.data, self.label = ids[:-1], ids[1:]


# --------------------------------------------------------------------- array cache


def _cache_path(url: str, train: bool, root: PathLike | None) -> str:
    directory = os.fspath(root) if root is not None else dezero.utils.cache_dir
    name = url[url.rfind("/") + 1 :]
    return os.path.join(directory, name + (".train.npz" if train else ".test.npz"))


def load_cache_npz(filename: str, train: bool = False, *, root: PathLike | None = None) -> tuple[Array | None, Array | None]:
    """The ``(data, label)`` arrays saved by :func:`save_cache_npz` for ``filename``
    (a URL or a name; its last part names the cache file), or ``(None, None)`` when
    there is no such file. Read with ``allow_pickle=False``."""
    path = _cache_path(filename, train, root)
    if not os.path.exists(path):
        return None, None
    with np.load(path, allow_pickle=False) as archive:
        return archive["data"], archive["label"]


def save_cache_npz(
    data: Array, label: Array, filename: str, train: bool = False, *, root: PathLike | None = None
) -> str | None:
    """Save ``data`` and ``label`` into ``<last part of filename>.train.npz`` (or
    ``.test.npz``) in ``root`` (default the cache folder), for
    :func:`load_cache_npz`. Returns the file's path, or None when it already exists
    (then nothing is written). The file appears complete or not at all."""
    path = _cache_path(filename, train, root)
    if os.path.exists(path):
        return None
    os.makedirs(os.path.dirname(path), exist_ok=True)
    print(f"Saving: {os.path.basename(path)}", file=sys.stderr)
    with atomic_write(path, ".npz") as handle:
        np.savez_compressed(handle, data=data, label=label)
    print(" Done", file=sys.stderr)
    return path
