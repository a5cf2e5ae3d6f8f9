"""Understanding what students write beyond one intent and its entities (issue 12 helpers)."""
