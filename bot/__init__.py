"""BEU international-student assistant: knowledge base, NLU components and channel adapters."""
