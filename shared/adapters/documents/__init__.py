"""Documents: Word report templates, rendering, charts and data packs."""
