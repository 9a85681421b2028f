"""Adapters: lists, mail, state, forms, registers, documents and Azure Storage, behind the ports."""
