"""Every public name of the book's final DeZero exists here, in the same module,
with the class members the book's class has (the names: ``book_names.py``)."""

from __future__ import annotations

import importlib
import importlib.util

import pytest

from tests.reference.book_names import BOOK_NAMES

# The book defines these only when CuPy imports; here, asked for without CuPy, they
# say what to install.
CUPY_ONLY = {("dezero.cuda", "cupy"), ("dezero.cuda", "cp")}
# Book names deliberately not offered, with why (docs/semantics.md).
NOT_OFFERED: dict[tuple[str, str, str | None], str] = {
    ("dezero.core", "array_types", None): "the book computes it by importing CuPy when dezero.core is imported",
}


def _cases() -> list[object]:
    cases: list[object] = []
    for module, names in BOOK_NAMES.items():
        for name, members in names.items():
            for member in (None, *(members or ())):
                why = NOT_OFFERED.get((module, name, member))
                marks = [pytest.mark.xfail(strict=True, reason=why)] if why else []
                label = f"{module}.{name}" + ("" if member is None else f".{member}")
                cases.append(pytest.param(module, name, member, marks=marks, id=label))
    return cases


@pytest.mark.parametrize(("module", "name", "member"), _cases())
def test_the_book_s_name_exists(module: str, name: str, member: str | None) -> None:
    namespace = importlib.import_module(module)
    if (module, name) in CUPY_ONLY and importlib.util.find_spec("cupy") is None:
        with pytest.raises(RuntimeError, match="CuPy"):  # as in the book, it exists only with CuPy
            getattr(namespace, name)
        return
    assert hasattr(namespace, name), f"{module} has no {name}"
    if member is not None:
        assert hasattr(getattr(namespace, name), member), f"{module}.{name} has no {member}"


def test_the_names_are_the_book_s_and_were_read_in_full() -> None:
    """A sanity check of the recorded facts themselves: well-known names are there,
    with their members, so a truncated list cannot pass silently."""
    assert len(BOOK_NAMES) == 13
    assert "softmax_cross_entropy_simple" in BOOK_NAMES["dezero.functions"]
    assert "batch_nrom" in BOOK_NAMES["dezero.functions"]
    assert BOOK_NAMES["dezero.models"]["VGG16"] == ("WEIGHTS_PATH", "forward", "preprocess")
    assert sum(len(names) for names in BOOK_NAMES.values()) == 236
