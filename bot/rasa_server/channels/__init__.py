"""Channel adapters (credentials.yml): how messages arrive and answers reach students on REST,
the website widget and Messenger. Thin, over the same answers; all behind one guard
(guarded.py)."""
