"""The programme's tests reuse the workflow's desk: real SQLite lists, a real outbox, a clock."""

from tests.workflow.conftest import Desk, body, desk, make_desk

__all__ = ["Desk", "body", "desk", "make_desk"]
