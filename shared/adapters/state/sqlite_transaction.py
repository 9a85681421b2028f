"""One SQLite transaction for several writes, for the embedded stores that hold a connection in
autocommit mode (``isolation_level=None``): each commit of a WAL database is a disk flush, so
writes that belong together are committed once."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def immediate(db: sqlite3.Connection) -> Iterator[None]:
    """``BEGIN IMMEDIATE`` (the write lock at once, so no deadlock between readers turned
    writers), then ``COMMIT``, or ``ROLLBACK`` when the block raises."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
