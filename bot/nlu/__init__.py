"""NLU: vocabulary generation from the knowledge base, and the custom Rasa components."""
