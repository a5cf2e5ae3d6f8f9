"""Channel adapters: how answers reach students on each channel (thin, over the same answers)."""
