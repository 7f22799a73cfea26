"""The checker's end of the wire: a port's driver started as a child process and
spoken to in JSON lines (:mod:`strategies.ports.protocol`).

A driver that crashes, hangs past the time limit, prints something that is not an
answer, or outgrows the memory limit makes the request it was on fail with a
:class:`DriverFailure` (what happened, the last lines of its stderr); the next
request starts it again, so one bad example never ends the run.
"""

from __future__ import annotations

import collections
import json
import os
import resource
import selectors
import shlex
import subprocess
import threading
import time
from typing import IO, Any

from strategies.ports.protocol import (
    Answer, PortCapabilities, PortError, ProtocolError, Request, parse_answer, parse_handshake, start_message,
)

__all__ = ["Driver", "DriverFailure", "STDERR_LINES"]

STDERR_LINES = 40  # of the driver's stderr, kept for the report


class DriverFailure(Exception):
    """The driver did not answer as the protocol says: ``kind`` is ``crashed``,
    ``hung``, ``garbage`` (not JSON) or ``protocol`` (JSON, but a wrong answer);
    ``stderr`` holds its last lines."""

    def __init__(self, kind: str, message: str, stderr: str = "") -> None:
        self.kind, self.message, self.stderr = kind, message, stderr
        super().__init__(f"the driver {kind}: {message}" + (f"\n--- its stderr, last lines ---\n{stderr}" if stderr else ""))


class Driver:
    """A port's driver, started by ``command`` (split like a shell would, run without
    one) in ``cwd``; each request must be answered within ``time_limit`` seconds.
    ``memory_limit`` (bytes) caps its address space where the system allows."""

    def __init__(self, command: str, *, cwd: str | None = None, time_limit: float = 20.0,
                 memory_limit: int | None = None) -> None:
        self.command = command
        self.argv = shlex.split(command)
        if not self.argv:
            raise ValueError("the driver command is empty")
        self.cwd = cwd
        self.time_limit = time_limit
        self.memory_limit = memory_limit
        self.process: subprocess.Popen[bytes] | None = None
        self.stderr_lines: collections.deque[str] = collections.deque(maxlen=STDERR_LINES)
        self.starts = 0
        self.seq = 0
        self._capabilities: PortCapabilities | None = None

    # ----------------------------------------------------------------- life cycle

    def _limit_memory(self) -> None:
        if self.memory_limit is not None:
            resource.setrlimit(resource.RLIMIT_AS, (self.memory_limit, self.memory_limit))

    def start(self) -> PortCapabilities:
        """Start the driver and shake hands; the same capabilities at every restart."""
        self.close()
        self.stderr_lines.clear()
        try:
            self.process = subprocess.Popen(self.argv, cwd=self.cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                            stderr=subprocess.PIPE, preexec_fn=self._limit_memory)
        except OSError as exc:
            raise DriverFailure("crashed", f"could not start {self.command!r}: {exc}") from exc
        self.starts += 1
        assert self.process.stderr is not None
        threading.Thread(target=self._drain, args=(self.process.stderr,), daemon=True).start()
        found = self._exchange(start_message(), "the handshake")
        try:
            capabilities = parse_handshake(found)
        except ProtocolError as exc:
            raise self._failure("protocol", str(exc)) from exc
        if self._capabilities is not None and capabilities != self._capabilities:
            raise self._failure("protocol", "the handshake changed after a restart")
        self._capabilities = capabilities
        return capabilities

    @property
    def capabilities(self) -> PortCapabilities:
        return self._capabilities if self._capabilities is not None else self.start()

    def _drain(self, stream: IO[bytes]) -> None:
        for raw in stream:
            self.stderr_lines.append(raw.decode("utf-8", "replace").rstrip("\n"))

    def close(self) -> None:
        """Ask the driver to stop; kill it if it does not within a second."""
        process, self.process = self.process, None
        if process is None:
            return
        try:
            if process.poll() is None and process.stdin is not None:
                process.stdin.write(b'{"cmd": "stop"}\n')
                process.stdin.close()
                process.wait(timeout=1.0)
        except (OSError, subprocess.TimeoutExpired):
            pass
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()  # (stderr: the drain thread reads it to its end)

    def __enter__(self) -> Driver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------- requests

    def run(self, request: Request) -> Answer | PortError:
        """The port's answer to ``request``; :class:`DriverFailure` when the driver
        failed on it (then it is stopped, and the next request restarts it)."""
        if self.process is None or self.process.poll() is not None:
            self.start()
        self.seq += 1
        try:
            message = self._exchange(request.to_json(self.seq), f"request {self.seq}")
        except BaseException:
            self.close()  # interrupted (a time limit, ^C): its answer would come to the next request
            raise
        try:
            return parse_answer(message, request, self.seq)
        except ProtocolError as exc:
            raise self._failure("protocol", str(exc)) from exc

    def _exchange(self, message: dict[str, Any], what: str) -> Any:
        process = self.process
        assert process is not None and process.stdin is not None and process.stdout is not None
        try:
            process.stdin.write(json.dumps(message, allow_nan=False).encode() + b"\n")
            process.stdin.flush()
        except OSError as exc:
            raise self._failure("crashed", f"it stopped reading before {what} ({exc})") from exc
        line = self._read_line(process, what)
        try:
            return json.loads(line)
        except ValueError as exc:
            raise self._failure("garbage", f"its reply to {what} is not JSON: {line[:200]!r}") from exc

    def _read_line(self, process: subprocess.Popen[bytes], what: str) -> str:
        assert process.stdout is not None
        deadline = time.monotonic() + self.time_limit
        fd = process.stdout.fileno()
        chunks: list[bytes] = []
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(timeout=left):
                    raise self._failure("hung", f"no answer to {what} within {self.time_limit:g} s")
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    code = process.wait()
                    raise self._failure("crashed", f"it exited (status {code}) before answering {what}")
                chunks.append(chunk)
                if b"\n" in chunk:
                    line, _, rest = b"".join(chunks).partition(b"\n")
                    if rest.strip():
                        raise self._failure("garbage", f"it printed more than one line for {what}: {rest[:200]!r}")
                    return line.decode("utf-8", "replace")

    def _failure(self, kind: str, message: str) -> DriverFailure:
        """Stop the driver and describe what went wrong, with its stderr."""
        self.close()
        time.sleep(0.05)  # let the stderr thread read the last lines
        return DriverFailure(kind, message, "\n".join(self.stderr_lines))
