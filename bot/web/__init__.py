"""The website side: the demo page with the chat widget (and, later, the staff admin)."""
