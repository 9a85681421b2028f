"""The ``auditdesk`` command line: thin commands over the same services the Azure Functions call."""
