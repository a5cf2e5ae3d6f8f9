"""Custom NLU components of the pipeline in config.yml (loaded by Rasa by class path)."""
