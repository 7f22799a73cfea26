"""A handle on the DeZero-style implementation under test.

Everything the suite uses is looked up on the package *when it is used* (never
captured at import), so a test that patches the implementation, or a mutant of it,
is seen at once.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, cast

import numpy as np

from strategies.implementation.loading import (
    Finding, check_origin, describe, finding, import_module, name_it_imports_itself_by, package_in, put_first_on_path,
    run_program, under_its_own_name,
)
from strategies.implementation.protocols import Array, VariableLike

__all__ = ["Implementation", "ImplementationError"]


class ImplementationError(Exception):
    """The implementation lacks what a test needs."""


@dataclass(eq=False)
class Implementation:
    """The package under test (``dezero``, a learner's package, a port's bridge, a
    program file of the book...)."""

    name: str
    package: ModuleType
    origin: str = ""
    # Catalogue ops to leave out of random graphs (known broken, to see what else fails).
    excluded_ops: frozenset[str] = frozenset()
    # What the suite learned about it (capabilities, probes), computed once.
    memo: dict[str, object] = field(default_factory=dict, repr=False)
    # What ``load`` was given (a module name or a path): another process loads the
    # same implementation with ``Implementation.load(target)``.
    target: str = ""
    # What went wrong while loading it (a program's demo code that raised, a
    # submodule that does not import), for the report.
    findings: list[Finding] = field(default_factory=list)
    # How its Function instances take inputs: "args" (f(x0, x1)) or "list"
    # (f([x0, x1]), the book's step 11); found by strategies.survey.capabilities.
    convention: str = "args"

    # -- loading

    @classmethod
    def load(cls, target: str) -> Implementation:
        """``target`` is an importable module name, a directory holding a package, a
        package directory, or a single ``.py`` file (the book's early steps).
        Raises :class:`~strategies.implementation.loading.LoadError` when it cannot be loaded."""
        if os.sep in target or target.endswith(".py") or os.path.exists(target):
            path = Path(target).resolve()
            if path.is_file():
                module, findings = run_program(path)
                return cls(path.stem, module, origin=str(path), target=str(path), findings=findings)
            name, parent = package_in(path)
            folder = parent / name
            findings = []
            alias = name_it_imports_itself_by(folder)
            if alias:  # a copy under another name whose modules import it as ``alias``
                findings.append(Finding(str(folder), f"its modules import it as `{alias}`: loaded under that name"))
                name, parent = alias, under_its_own_name(folder, alias)
            put_first_on_path(parent, name)
            package = import_module(name)
            check_origin(package, getattr(package, "Variable", None), folder)
            return cls(name, package, origin=str(path), target=str(path), findings=findings)
        package = import_module(target)
        return cls(target, package, origin=getattr(package, "__file__", "") or target, target=target)

    @property
    def directory(self) -> Path:
        """The folder of the implementation's code (its package's folder, or the
        folder of its single file)."""
        return Path(getattr(self.package, "__file__", None) or self.origin).resolve().parent

    @property
    def homes(self) -> list[ModuleType]:
        """The modules a program file takes its DeZero from (searched after the
        program's own names): the module that defines the Variable it imported and,
        if that Variable is its package's, the package; for a program that imports
        no Variable (``from dezero import Model``), the package it imported from."""
        cached = self.memo.get("homes")
        if isinstance(cached, list):
            return cached
        homes: list[ModuleType] = []
        variable = getattr(self.package, "Variable", None)
        if variable is not None:
            defining = sys.modules.get(getattr(variable, "__module__", ""))
            top = sys.modules.get(getattr(variable, "__module__", "").partition(".")[0])
            homes = [m for m in (defining, top) if m is not None and m is not self.package]
            homes = [m for m in homes if m is defining or getattr(m, "Variable", None) is variable]
        else:
            for value in vars(self.package).values():
                origin = value.__name__ if isinstance(value, ModuleType) else getattr(value, "__module__", None)
                top = sys.modules.get(origin.partition(".")[0]) if isinstance(origin, str) else None
                if top is not None and top is not self.package and hasattr(top, "Variable"):
                    homes = [top]
                    break
        homes = list(dict.fromkeys(homes))
        self.memo["homes"] = homes
        return homes

    # -- what the suite uses, looked up at call time

    def attr(self, dotted: str) -> Any:
        """``package.<dotted>`` (``"Variable"``, ``"functions.sin"``), else the same
        on its :attr:`homes`, or AttributeError."""
        first, _, rest = dotted.partition(".")
        for place in (self.package, *self.homes):
            if hasattr(place, first):
                obj: Any = getattr(place, first)
                break
        else:
            raise AttributeError(f"{self.name} has no {first!r}")
        for part in rest.split(".") if rest else ():
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
        return cast("type[VariableLike]", self.attr("Variable"))

    @property
    def Function(self) -> type:
        return cast(type, self.attr("Function"))

    @property
    def F(self) -> ModuleType:
        """``dezero.functions``, imported on first use; ImplementationError if absent."""
        return self.submodule("functions")

    def submodule(self, name: str) -> ModuleType:
        """``dezero.<name>`` (``functions``, ``layers``, ``optimizers``, ``models``),
        imported on first use (from the home package for a program file).
        ImplementationError if it is absent, or if it does not import (then also a
        finding of its own)."""
        for package in (self.package, *self.homes):
            module = getattr(package, name, None)
            if isinstance(module, ModuleType):
                return module
            broken = self.broken_modules.get(name)
            if broken is not None:
                raise ImplementationError(f"{broken.subject} failed: {broken.problem}")
            if not hasattr(package, "__path__"):
                continue  # a module, not a package: no submodules
            full = f"{package.__name__}.{name}"
            try:
                return importlib.import_module(full)
            except ModuleNotFoundError as exc:
                if exc.name != full:
                    self._record_broken(name, finding(f"import {full}", exc))
                    raise ImplementationError(f"import {full} failed: {exc}") from exc
            except Exception as exc:
                self._record_broken(name, finding(f"import {full}", exc))
                raise ImplementationError(f"import {full} failed: {describe(exc)}") from exc
        raise ImplementationError(f"{self.name} has no {name} module")

    @property
    def broken_modules(self) -> dict[str, Finding]:
        """Submodules that exist but do not import, by name."""
        broken = self.memo.setdefault("broken modules", {})
        return broken  # type: ignore[return-value]  # always the dict set here

    def _record_broken(self, name: str, found: Finding) -> None:
        self.broken_modules[name] = found
        self.findings.append(found)

    def variable(self, data: Array, name: str | None = None) -> VariableLike:
        variable: Any = self.Variable
        return cast(VariableLike, variable(data) if name is None else variable(data, name))

    def no_grad(self) -> contextlib.AbstractContextManager[Any]:
        return cast("contextlib.AbstractContextManager[Any]", self.attr("no_grad")())

    def using_config(self, name: str, value: bool) -> contextlib.AbstractContextManager[Any]:
        return cast("contextlib.AbstractContextManager[Any]", self.attr("using_config")(name, value))

    SWITCHES = ("enable_backprop", "train")

    def config_state(self) -> tuple[object, ...]:
        """The current values of the implementation's global switches."""
        config = self.attr("Config") if self.has("Config") else None
        if config is None:
            return ()
        return tuple(getattr(config, name, None) for name in self.SWITCHES)

    def restore_config(self, state: tuple[object, ...]) -> None:
        """Set the switches back to ``state`` (from :meth:`config_state`)."""
        config = self.attr("Config") if self.has("Config") else None
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
