"""Datasets: indexable collections of ``(example, label)`` pairs.

Generated datasets (:class:`Spiral`, :class:`SinCurve`) draw from a local
``numpy.random.Generator`` with a fixed seed per split, so they are the same in every
run and never touch (let alone re-seed) the global NumPy generator.

Downloaded datasets (:class:`MNIST`, :class:`CIFAR10`, :class:`Shakespear`) look for
their files in ``root`` (default ``~/.dezero``, the module's ``cache_dir``) and
download only what is missing. Files are parsed as raw bytes or text: nothing is
unpickled.
"""

from __future__ import annotations

import gzip
import os
import shutil
import struct
import sys
import tarfile
import urllib.request
from typing import Union

import numpy as np

from dezero.core import Array
from dezero.transforms import Compose, Flatten, Normalize, ToFloat, Transform, identity

PathLike = Union[str, "os.PathLike[str]"]

cache_dir = os.path.join(os.path.expanduser("~"), ".dezero")


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


def get_spiral(train: bool = True) -> tuple[Array, Array]:
    """Three interleaved spiral arms of 100 points each in the plane.

    Returns ``x`` (300, 2) float32 and labels ``t`` (300,) int64, shuffled. Point
    ``i`` of arm ``j`` lies at radius ``i / 100`` and angle ``4 j + 4 i / 100`` plus
    Gaussian noise of standard deviation 0.2. The seed is fixed per split.
    """
    rng = np.random.default_rng(1984 if train else 2020)
    per_class, classes = 100, 3
    radius = np.arange(per_class) / per_class
    xs, ts = [], []
    for arm in range(classes):
        angle = 4.0 * arm + 4.0 * radius + rng.standard_normal(per_class) * 0.2
        xs.append(np.stack([radius * np.sin(angle), radius * np.cos(angle)], axis=1))
        ts.append(np.full(per_class, arm, dtype=np.int64))
    order = rng.permutation(per_class * classes)
    return np.concatenate(xs).astype(np.float32)[order], np.concatenate(ts)[order]


class Spiral(Dataset):
    """:func:`get_spiral` as a dataset: examples (2,) float32, labels int64 in {0, 1, 2}."""

    def prepare(self) -> None:
        self.data, self.label = get_spiral(self.train)


class SinCurve(Dataset):
    """Predict the next value of a curve: ``data[i] = y[i]``, ``label[i] = y[i + 1]``,
    each of shape (1,), for 1000 points ``y`` on ``[0, 2 pi]``.

    Training: ``sin`` plus uniform noise in [-0.05, 0.05) (fixed seed); test: ``cos``.
    """

    def prepare(self) -> None:
        x = np.linspace(0, 2 * np.pi, 1000)
        if self.train:
            y = np.sin(x) + np.random.default_rng(0).uniform(-0.05, 0.05, x.shape)
        else:
            y = np.cos(x)
        y = y.reshape(-1, 1)
        self.data, self.label = y[:-1], y[1:]


# --------------------------------------------------------------------- downloads


def get_file(url: str, file_name: str | None = None, root: PathLike | None = None) -> str:
    """The local path of ``url``'s file in ``root`` (default :data:`cache_dir`),
    downloading it first if it is not there yet.

    The download goes to a temporary name and is renamed when complete, so an
    interrupted download is not mistaken for the file next time.
    """
    directory = os.fspath(root) if root is not None else cache_dir
    name = file_name or url.rstrip("/").rsplit("/", 1)[-1]
    path = os.path.join(directory, name)
    if os.path.exists(path):
        return path
    os.makedirs(directory, exist_ok=True)
    partial = path + ".part"
    print(f"Downloading {name} from {url}", file=sys.stderr)
    try:
        with urllib.request.urlopen(url, timeout=60) as response, open(partial, "wb") as out:
            shutil.copyfileobj(response, out)
        os.replace(partial, path)
    except BaseException:
        if os.path.exists(partial):
            os.remove(partial)
        raise
    return path


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

    @staticmethod
    def labels() -> dict[int, str]:
        return {i: str(i) for i in range(10)}


_CIFAR_TRANSFORM = Compose([Flatten(), ToFloat(), Normalize(0.0, 255.0), Normalize(0.5, 0.5)])


class CIFAR10(Dataset):
    """Colour images (3, 32, 32) uint8 in 10 classes (labels uint8); 50,000 for
    training, 10,000 for test. Read from the dataset's binary distribution (no
    pickles). The default transform gives flat float32 vectors in [-1, 1]."""

    url = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"
    folder = "cifar-10-batches-bin"
    record_size = 1 + 3 * 32 * 32

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
        archive = get_file(self.url, root=self.root)
        names = [f"data_batch_{i}.bin" for i in range(1, 6)] if self.train else ["test_batch.bin"]
        chunks = []
        with tarfile.open(archive, "r:gz") as tar:
            for name in names:
                member = tar.extractfile(f"{self.folder}/{name}")
                if member is None:
                    raise ValueError(f"CIFAR10: {name} in {archive!r} is not a file")
                raw = member.read()
                if len(raw) % self.record_size:
                    raise ValueError(f"CIFAR10: {name} is not a whole number of records")
                chunks.append(np.frombuffer(raw, dtype=np.uint8).reshape(-1, self.record_size))
        records = np.concatenate(chunks)
        self.label = records[:, 0].copy()
        self.data = records[:, 1:].reshape(-1, 3, 32, 32).copy()

    @staticmethod
    def labels() -> dict[int, str]:
        names = "airplane automobile bird cat deer dog frog horse ship truck".split()
        return dict(enumerate(names))


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
