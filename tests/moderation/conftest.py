"""The workflow's desk (real SQLite store, real outbox, the example Staff register) for moderation."""

from tests.workflow.conftest import desk

__all__ = ["desk"]
