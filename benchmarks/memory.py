"""Resident memory of this process, from ``/proc/self`` (Linux).

RSS is what the kernel gives the process, so it sees every allocator (Python's,
NumPy's, PyTorch's C++ one); ``tracemalloc`` sees only Python's and NumPy's.
The peak (VmHWM) can be reset by writing 5 to ``/proc/self/clear_refs``.
"""

from __future__ import annotations

from pathlib import Path

_STATUS = Path("/proc/self/status")


def _status_kib(field: str) -> int:
    for line in _STATUS.read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in {_STATUS}")


def rss_bytes() -> int:
    """Current resident set size."""
    return _status_kib("VmRSS") * 1024


def peak_rss_bytes() -> int:
    """Highest resident set size since the process started or since :func:`reset_peak`."""
    return _status_kib("VmHWM") * 1024


def reset_peak() -> bool:
    """Reset the peak to the current RSS; False where the kernel does not allow it."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True
