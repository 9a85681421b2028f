"""A loopback SharePoint REST server for contract tests (test infrastructure, not a product)."""
