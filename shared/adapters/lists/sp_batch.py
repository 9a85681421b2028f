"""OData ``$batch`` for SharePoint REST, built by hand.

office365-rest-python-client splits a batch of writes on its entity-type look-ups (one
``$batch`` per item, see the traces) and cannot serialise some bodies, so the adapter builds
the multipart request itself, as documented in "Make batch requests with the REST APIs":
reads as plain parts, writes inside a changeset. SharePoint is not transactional: each
operation succeeds or fails alone, and the response has one ``application/http`` part per
operation, in order.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

VERBOSE = "application/json;odata=verbose"


@dataclass(frozen=True, slots=True)
class Operation:
    method: str  # the real verb: GET, POST, MERGE (update), DELETE
    url: str  # absolute
    body: Any = None  # JSON-serialisable
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def is_write(self) -> bool:
        return self.method != "GET"


@dataclass(frozen=True, slots=True)
class OperationResult:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body.strip() else None


def build_batch(operations: Sequence[Operation]) -> tuple[str, bytes]:
    """(Content-Type header, body): consecutive writes share one changeset."""
    boundary = f"batch_{uuid.uuid4()}"
    lines: list[str] = []
    index = 0
    while index < len(operations):
        op = operations[index]
        if not op.is_write:
            lines += [f"--{boundary}", *_part(op)]
            index += 1
            continue
        changeset = f"changeset_{uuid.uuid4()}"
        lines += [f"--{boundary}", f"Content-Type: multipart/mixed; boundary={changeset}", ""]
        while index < len(operations) and operations[index].is_write:
            lines += [f"--{changeset}", *_part(operations[index])]
            index += 1
        lines += [f"--{changeset}--", ""]
    lines += [f"--{boundary}--", ""]
    return f"multipart/mixed; boundary={boundary}", "\r\n".join(lines).encode("utf-8")


def _part(op: Operation) -> list[str]:
    """One request of the batch, the verb on the request line as Microsoft's batch example and
    office365-rest-python-client 3.3.0 (``runtime/odata/v3/batch_request.py``, ``_serialize_request``)
    send it: ``MERGE https://.../items(5) HTTP/1.1`` with ``IF-MATCH``, never ``POST`` plus
    ``X-HTTP-Method`` alone. The client also repeats the verb as ``X-HTTP-Method``; so do we."""
    head = ["Content-Type: application/http", "Content-Transfer-Encoding: binary", ""]
    request = [f"{op.method} {op.url} HTTP/1.1", f"Accept: {VERBOSE}"]
    if op.method not in ("GET", "POST"):
        request.append(f"X-HTTP-Method: {op.method}")
    if op.body is not None:
        request.append(f"Content-Type: {VERBOSE}")
    request += [f"{name}: {value}" for name, value in op.headers.items()]
    body = [json.dumps(op.body)] if op.body is not None else []
    return [*head, *request, "", *body, ""]


_STATUS = re.compile(rb"^HTTP/1\.1 (\d{3})[^\n]*\n", re.M)


def parse_batch_response(content_type: str, body: bytes) -> list[OperationResult]:
    """Each operation's status, headers and body, in order (nested changeset responses flattened)."""
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if not match:
        raise ValueError("The $batch answer has no multipart boundary.")
    text = body.replace(b"\r\n", b"\n")
    results: list[OperationResult] = []
    for part in text.split(b"--" + match.group(1).encode())[1:]:
        if part.startswith(b"--"):
            break
        head, _, rest = part.lstrip(b"\n").partition(b"\n\n")
        inner = re.search(rb"content-type:\s*(multipart/mixed;[^\n]*)", head, re.I)
        if inner:
            results += parse_batch_response(inner.group(1).decode(), rest)
            continue
        status = _STATUS.match(rest)
        if not status:
            continue
        after = rest[status.end() :]
        header_block, _, payload = after.partition(b"\n\n")
        headers = {}
        for line in header_block.decode("utf-8", "replace").split("\n"):
            name, sep, value = line.partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        results.append(OperationResult(int(status.group(1)), headers, payload.rstrip(b"\n")))
    return results
