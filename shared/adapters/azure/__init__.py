"""Azure Storage clients and the keys that carry no children's data."""
