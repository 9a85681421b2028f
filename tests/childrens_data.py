"""What must never appear in a log: the fictional case and child references, staff names and
addresses, and the forms' file names that the tests' scenarios use."""

from __future__ import annotations

import re

from shared.core.schema_reader import load_schema
from shared.demo.example_registers import example_staff


def forbidden() -> re.Pattern[str]:
    """Case and child references, staff names and addresses, the forms' file names."""
    staff = example_staff(load_schema())
    words = {person.email for person in staff}
    for person in staff:
        words.update(part for part in person.name.replace("(fictional)", "").split() if len(part) > 2)
    words.update(["Example", "Sample", "Placeholder", "fictional", ".docx", "@example.org", " audit."])
    alternatives = sorted((re.escape(w) for w in words), key=len, reverse=True)
    return re.compile(r"DEMO-\d{4}|DEMO-C-\d+|" + "|".join(alternatives), re.IGNORECASE)
