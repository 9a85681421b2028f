from __future__ import annotations

import pytest

from shared.core.deadlines import Deadlines
from shared.core.schema import AuditSchema
from shared.core.schema_reader import load_schema


@pytest.fixture(scope="session")
def schema() -> AuditSchema:
    return load_schema()


@pytest.fixture(scope="session")
def deadlines(schema: AuditSchema) -> Deadlines:
    return Deadlines.for_schema(schema)
