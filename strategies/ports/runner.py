"""The one interface the request properties run against: an implementation that
answers requests, in this process (:class:`strategies.ports.answering.InProcess`)
or over the wire (:class:`strategies.ports.driver.Driver`)."""

from __future__ import annotations

from typing import Protocol

from strategies.ports.protocol import Answer, PortCapabilities, PortError, Request

__all__ = ["Runner"]


class Runner(Protocol):
    @property
    def capabilities(self) -> PortCapabilities: ...

    def run(self, request: Request) -> Answer | PortError: ...
