"""A handle on the DeZero-style implementation under test.

Everything the suite uses is looked up on the package *when it is used* (never
captured at import), so a test that patches the implementation, or a mutant of it,
is seen at once.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.machinery
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, cast

import numpy as np

from strategies.protocols import Array, VariableLike


class ImplementationError(Exception):
    """The implementation could not be loaded, or lacks what a test needs."""


class _Without:
    """A meta-path finder that passes every request on to ``finder`` except for
    the package ``name`` and its submodules."""

    def __init__(self, finder: Any, name: str) -> None:
        self.finder, self.name = finder, name

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname == self.name or fullname.startswith(self.name + "."):
            return None
        return self.finder.find_spec(fullname, path, target)


def _hide_other_finders_of(name: str) -> None:
    """Stop import hooks placed after the path finder (an editable install of the
    reference, say) from supplying ``name.*`` modules to an implementation loaded
    from a path: ``import dezero.functions`` inside a learner's package must find
    the learner's module or nothing."""
    path_finder = importlib.machinery.PathFinder
    if path_finder not in sys.meta_path:
        return
    start = sys.meta_path.index(path_finder) + 1
    sys.meta_path[start:] = [_Without(f, name) for f in sys.meta_path[start:]]


@dataclass(eq=False)
class Implementation:
    """The package under test (``dezero``, a learner's package, a port's bridge...)."""

    name: str
    package: ModuleType
    origin: str = ""
    # Catalogue ops to leave out of random graphs (known broken, to see what else fails).
    excluded_ops: frozenset[str] = frozenset()
    _cache: dict[str, object] = field(default_factory=dict, repr=False)
    # What ``load`` was given (a module name or a path): another process loads the
    # same implementation with ``Implementation.load(target)``.
    target: str = ""

    # -- loading

    @classmethod
    def load(cls, target: str) -> Implementation:
        """``target`` is an importable module name, a directory holding a package, a
        package directory, or a single ``.py`` file (the book's early steps)."""
        if os.sep in target or target.endswith(".py") or os.path.exists(target):
            loaded = cls._load_path(os.path.abspath(target))
            loaded.target = os.path.abspath(target)
            return loaded
        try:
            package = importlib.import_module(target)
        except ImportError as exc:
            raise ImplementationError(f"cannot import implementation {target!r}: {exc}") from exc
        return cls(target, package, origin=getattr(package, "__file__", "") or target, target=target)

    @classmethod
    def _load_path(cls, path: str) -> Implementation:
        if os.path.isfile(path):
            name = os.path.splitext(os.path.basename(path))[0]
            parent = os.path.dirname(path)
        elif os.path.isfile(os.path.join(path, "__init__.py")):
            name, parent = os.path.basename(path), os.path.dirname(path)
        else:
            packages = sorted(
                entry
                for entry in os.listdir(path) if os.path.isfile(os.path.join(path, entry, "__init__.py"))
            ) if os.path.isdir(path) else []
            if len(packages) != 1:
                raise ImplementationError(
                    f"{path} must be a .py file, a package, or a directory holding exactly "
                    f"one package (found {packages or 'none'})"
                )
            name, parent = packages[0], path
        loaded = sys.modules.get(name)
        if loaded is not None and not os.path.realpath(getattr(loaded, "__file__", "") or "").startswith(
            os.path.realpath(parent)
        ):
            raise ImplementationError(
                f"a different module named {name!r} is already imported "
                f"({getattr(loaded, '__file__', '?')}); run the implementation in its own process"
            )
        sys.path.insert(0, parent)
        _hide_other_finders_of(name)
        try:
            package = importlib.import_module(name)
        except Exception as exc:
            raise ImplementationError(f"cannot import {name!r} from {parent}: {exc!r}") from exc
        return cls(name, package, origin=path)

    @property
    def directory(self) -> Path:
        """The folder of the implementation's code (its package's folder, or the
        folder of its single file)."""
        return Path(getattr(self.package, "__file__", None) or self.origin).resolve().parent

    # -- what the suite uses, looked up at call time

    def attr(self, dotted: str) -> Any:
        """``package.<dotted>`` (``"Variable"``, ``"functions.sin"``), or AttributeError."""
        obj: Any = self.package
        for part in dotted.split("."):
            obj = getattr(obj, part)
        return obj

    def has(self, dotted: str) -> bool:
        try:
            self.attr(dotted)
        except AttributeError:
            return False
        return True

    @property
    def Variable(self) -> type[VariableLike]:
        return cast("type[VariableLike]", self.package.Variable)

    @property
    def Function(self) -> type:
        return cast(type, self.package.Function)

    @property
    def F(self) -> ModuleType:
        """``dezero.functions``, imported on first use; ImplementationError if absent."""
        return self.submodule("functions")

    def submodule(self, name: str) -> ModuleType:
        """``dezero.<name>`` (``functions``, ``layers``, ``optimizers``, ``models``),
        imported on first use; ImplementationError if absent."""
        module = getattr(self.package, name, None)
        if isinstance(module, ModuleType):
            return module
        try:
            return importlib.import_module(f"{self.package.__name__}.{name}")
        except ImportError as exc:
            raise ImplementationError(f"{self.name} has no {name} module") from exc

    def variable(self, data: Array, name: str | None = None) -> VariableLike:
        v = self.package.Variable(data) if name is None else self.package.Variable(data, name)
        return cast(VariableLike, v)

    def no_grad(self) -> contextlib.AbstractContextManager[Any]:
        return cast("contextlib.AbstractContextManager[Any]", self.package.no_grad())

    def using_config(self, name: str, value: bool) -> contextlib.AbstractContextManager[Any]:
        return cast("contextlib.AbstractContextManager[Any]", self.package.using_config(name, value))

    SWITCHES = ("enable_backprop", "train")

    def config_state(self) -> tuple[object, ...]:
        """The current values of the implementation's global switches."""
        config = getattr(self.package, "Config", None)
        if config is None:
            return ()
        return tuple(getattr(config, name, None) for name in self.SWITCHES)

    def restore_config(self, state: tuple[object, ...]) -> None:
        """Set the switches back to ``state`` (from :meth:`config_state`)."""
        config = getattr(self.package, "Config", None)
        for name, value in zip(self.SWITCHES, state):
            if value is not None:
                setattr(config, name, value)

    @contextlib.contextmanager
    def seeded(self, seed: int) -> Iterator[None]:
        """Seed NumPy's global generator for implementations that draw from it (the
        book's dropout), restoring its state afterwards."""
        state = np.random.get_state()
        np.random.set_state(np.random.RandomState(seed).get_state())  # as np.random.seed(seed)
        try:
            yield
        finally:
            np.random.set_state(state)

    def __repr__(self) -> str:
        return f"Implementation({self.name!r} from {self.origin})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))
