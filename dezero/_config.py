"""Global switches: grad mode (``enable_backprop``) and train/test mode (``train``).

The book keeps these as plain class attributes of ``Config``, so one thread's
``no_grad()`` silently turns off graph building in every other thread. Here each
switch lives in a :class:`contextvars.ContextVar`: a thread or an asyncio task sees
its own value, while ``Config.enable_backprop`` still reads and assigns like the
book's class attribute (a property on the metaclass forwards to the variable).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

_enable_backprop: ContextVar[bool] = ContextVar("dezero.enable_backprop", default=True)
_train: ContextVar[bool] = ContextVar("dezero.train", default=True)

# ``Config.enable_backprop`` without the class-property lookup: Function.__call__
# reads it on every call.
backprop_enabled = _enable_backprop.get

_SWITCHES: dict[str, ContextVar[bool]] = {
    "enable_backprop": _enable_backprop,
    "train": _train,
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


class Config(metaclass=_ConfigMeta):
    """``Config.enable_backprop``: record graphs for backward (default True).
    ``Config.train``: training mode, read by dropout and batch norm (default True).

    Both are per thread and per asyncio task. Assigning them works as in the book,
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
