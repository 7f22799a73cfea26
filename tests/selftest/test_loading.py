"""Loading a program file statement by statement: what its demo code raises becomes
a finding of its own kind, and the definitions before and after it survive."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from strategies.implementation.loading import run_program

PROGRAM = '''
import urllib.error

def before():
    return 1

raise urllib.error.URLError("[Errno -2] Name or service not known")

def between():
    return 2

raise ValueError("the demo's own bug")

def after():
    return 3
'''


@pytest.fixture
def program(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "demo_program_for_loading.py"
    path.write_text(PROGRAM)
    yield path
    sys.modules.pop(path.stem, None)


def test_a_download_without_network_is_offline_and_a_demo_error_is_the_program_s(program: Path) -> None:
    module, findings = run_program(program)
    assert [f.kind for f in findings] == ["offline", "program"]
    assert "line 7" in findings[0].subject and "URLError" in findings[0].problem
    assert "without a network" in findings[0].fix
    assert "line 12" in findings[1].subject and "the demo's own bug" in findings[1].problem
    assert (module.before(), module.between(), module.after()) == (1, 2, 3)
