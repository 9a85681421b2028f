"""Audit Desk: quality-assurance audits for children's social care, run inside Microsoft 365.

``shared.core`` holds the audit framework's rules and imports nothing but the standard
library and ``holidays``; everything that touches a file format, a network or a clock sits
in the adapters around it.
"""

__version__ = "0.1.0"
