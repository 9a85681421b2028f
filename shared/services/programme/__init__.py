"""The rest of the framework's programme: staff observations (6), case discussions (4),
supervision audits (5), thematic audits (3) and their compliance figures."""
