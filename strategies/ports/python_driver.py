"""A driver for any Python DeZero: the protocol's own conformance test, and the
smallest complete driver a porter can read.

    python -m strategies.ports.python_driver PATH     # a folder, package or step file

It reads one request per line on stdin and writes one answer per line on stdout
(:mod:`strategies.ports.answering` computes them); what the implementation prints
goes to stderr, so stdout holds answers only.
"""

from __future__ import annotations

import contextlib
import json
import sys
from typing import Any, TextIO

from strategies.implementation.handle import Implementation
from strategies.implementation.loading import LoadError
from strategies.ports.answering import answer, decode_request, handshake
from strategies.ports.protocol import ProtocolError
from strategies.survey.capabilities import adopt, survey

__all__ = ["main", "serve"]


def serve(impl: Implementation, name: str, requests: TextIO, answers: TextIO) -> None:
    """Answer requests until ``stop`` or the end of input."""
    for line in requests:
        if not line.strip():
            continue
        message = json.loads(line)
        command = message.get("cmd")
        if command == "stop":
            return
        reply: dict[str, Any]
        if command == "start":
            reply = handshake(impl, name)
        elif command == "run":
            try:
                request = decode_request(message)
            except (ProtocolError, KeyError, TypeError, ValueError) as exc:
                reply = {"seq": message.get("seq"), "unsupported": f"{type(exc).__name__}: {exc}"}
            else:
                with contextlib.redirect_stdout(sys.stderr):
                    reply = answer(impl, request, message["seq"])
        else:
            reply = {"seq": message.get("seq"), "unsupported": f"unknown command {command!r}"}
        answers.write(json.dumps(reply, allow_nan=False) + "\n")
        answers.flush()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m strategies.ports.python_driver PATH", file=sys.stderr)
        return 2
    answers = sys.stdout
    try:
        with contextlib.redirect_stdout(sys.stderr):
            impl = Implementation.load(args[0])
            adopt(impl, survey(impl, screen_ops=False))  # (what the handshake declares; no screening)
    except LoadError as exc:
        print(f"cannot load {args[0]}: {exc}", file=sys.stderr)
        return 1
    serve(impl, args[0], sys.stdin, answers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
