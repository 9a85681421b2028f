"""The audit workflow engine: section 2 of the framework, run by the service instead of by memory.

Each module is one part of the procedure, in the framework's words: allocation (2.1, 2.4),
intake of returned audits (2.2, 2.3), safeguarding alerts (2.6), the QA check (2.11),
findings shared and discussed (2.9, 2.10), re-audits (2.12), the daily sweep and the audit
trail. Every effect (a task, an email, a trail entry) has a deterministic key and is made
at most once, so a notification processed twice, or a run that crashed half-way and is run
again, creates nothing twice.
"""
