"""Staff-side storage: FAQ entries with history, the unanswered-question inbox, staff accounts.

Only the storage and domain rules live here (no web routes, no retrieval), so the admin web app,
the bot and the CLI share one set of rules about what may be written and how.
"""
