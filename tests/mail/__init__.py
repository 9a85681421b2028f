"""Tests for the mail port and its outbox, SMTP and Graph adapters."""
