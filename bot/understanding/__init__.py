"""Understanding what students write beyond one intent and its entities: fact retrieval over the
knowledge base (facts.py) and the sibling modules of issue 12 (splitting, roles, premises)."""
