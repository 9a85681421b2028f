"""The framework's rules: grades, domains, validation, deadlines and the audit workflow.

Pure: imports only the standard library, ``holidays`` and ``tomllib``. No SDK, file
format, network or clock: today's date is always passed in.
"""
