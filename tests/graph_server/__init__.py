"""A loopback Microsoft Graph server for tests (see :mod:`tests.graph_server.server`)."""

from tests.graph_server.server import LoopbackGraph, RecordedAttachment, RecordedMessage

__all__ = ["LoopbackGraph", "RecordedAttachment", "RecordedMessage"]
