"""Global switches: grad mode (``enable_backprop``), train/test mode (``train``),
and the book's random numbers (``book_random``).

The book keeps these as plain class attributes of ``Config``, so one thread's
``no_grad()`` silently turns off graph building in every other thread. Here each
switch lives in a :class:`contextvars.ContextVar`: a thread or an asyncio task sees
its own value, while ``Config.enable_backprop`` still reads and assigns like the
book's class attribute (a property on the metaclass forwards to the variable).

``book_random`` (an addition, off by default) gives back the one random behaviour
of the book that the reference fixes: ``get_spiral`` (and so ``Spiral``) re-seeds
NumPy's global generator, as the book's does, so that the book's programs that
rely on it (steps 48-50) print the book's numbers. Its default comes from the
environment variable ``DEZERO_BOOK_RANDOM`` (``1``/``true``/``yes``/``on`` or
``0``/``false``/``no``/``off``), read once, when dezero is imported.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from contextvars import ContextVar

BOOK_RANDOM_VARIABLE = "DEZERO_BOOK_RANDOM"
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")


def _from_environment(name: str) -> bool:
    """The switch the environment variable ``name`` sets (unset: off)."""
    text = os.environ.get(name, "").strip().lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise ValueError(f"the environment variable {name}={os.environ[name]!r} must be one of "
                     f"{', '.join(_TRUE)} (on) or {', '.join(v for v in _FALSE if v)} (off)")


_enable_backprop: ContextVar[bool] = ContextVar("dezero.enable_backprop", default=True)
_train: ContextVar[bool] = ContextVar("dezero.train", default=True)
_book_random: ContextVar[bool] = ContextVar("dezero.book_random", default=_from_environment(BOOK_RANDOM_VARIABLE))

# ``Config.enable_backprop`` without the class-property lookup: Function.__call__
# reads it on every call.
backprop_enabled = _enable_backprop.get
# ``Config.book_random``, for the datasets.
book_random_enabled = _book_random.get

_SWITCHES: dict[str, ContextVar[bool]] = {
    "enable_backprop": _enable_backprop,
    "train": _train,
    "book_random": _book_random,
}


class _ConfigMeta(type):
    @property
    def enable_backprop(cls) -> bool:
        return _enable_backprop.get()

    @enable_backprop.setter
    def enable_backprop(cls, value: bool) -> None:
        _enable_backprop.set(_as_switch("enable_backprop", value))

    @property
    def train(cls) -> bool:
        return _train.get()

    @train.setter
    def train(cls, value: bool) -> None:
        _train.set(_as_switch("train", value))

    @property
    def book_random(cls) -> bool:
        return _book_random.get()

    @book_random.setter
    def book_random(cls, value: bool) -> None:
        _book_random.set(_as_switch("book_random", value))


class Config(metaclass=_ConfigMeta):
    """``Config.enable_backprop``: record graphs for backward (default True).
    ``Config.train``: training mode, read by dropout and batch norm (default True).
    ``Config.book_random`` (an addition): ``get_spiral`` and ``Spiral`` re-seed NumPy's
    global generator as the book's do, for the book's numbers (default False, or
    as the environment variable ``DEZERO_BOOK_RANDOM`` says when dezero is imported).

    All are per thread and per asyncio task. Assigning them works as in the book,
    but prefer the context managers :func:`using_config`, :func:`no_grad` and
    :func:`test_mode`, which restore the previous value on exit.
    """


def _as_switch(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"Config.{name} must be a bool, got {type(value).__name__}")
    return value


@contextlib.contextmanager
def using_config(name: str, value: bool) -> Iterator[None]:
    """Set ``Config.<name>`` to ``value`` inside the ``with`` block, then restore it."""
    switch = _SWITCHES.get(name)
    if switch is None:
        known = ", ".join(sorted(_SWITCHES))
        raise ValueError(f"unknown Config option {name!r}; known options: {known}")
    token = switch.set(_as_switch(name, value))
    try:
        yield
    finally:
        switch.reset(token)


def no_grad() -> contextlib.AbstractContextManager[None]:
    """Build no graph inside the block: outputs have no creator, inputs are not kept."""
    return using_config("enable_backprop", False)


def test_mode() -> contextlib.AbstractContextManager[None]:
    """Evaluation mode inside the block: dropout is the identity, batch norm uses running stats."""
    return using_config("train", False)


test_mode.__test__ = False  # type: ignore[attr-defined]  # keep pytest from collecting it
