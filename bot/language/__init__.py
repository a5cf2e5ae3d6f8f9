"""Text handling every process shares: accent and letter folding, fuzzy name matching, and the
sentence encoder (the intent classifier, FAQ retrieval and inbox grouping use the same one)."""
