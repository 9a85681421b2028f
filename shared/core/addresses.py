"""What counts as a usable email address and case reference (2.1, 2.4).

Deliberately loose on addresses: one "@", no spaces, no angle brackets, commas or semicolons
that would let one string become several recipients, no line breaks that would let it become a
mail header. A case reference is the case management system's identifier: letters, digits and
hyphens, nothing that could break a file name, a key or a header.
"""

from __future__ import annotations

import re

PLAIN_EMAIL = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")
CASE_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,39}$")


def is_plain_email(address: str) -> bool:
    return bool(PLAIN_EMAIL.match(address))


def is_case_reference(text: str) -> bool:
    return bool(CASE_REFERENCE.match(text))
