"""Service state that is not a list: change tokens, effect keys and the writer lease."""
