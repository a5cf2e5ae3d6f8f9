"""The action server process: rasa_sdk running the custom actions of actions/ (the answer
code they call is shared: bot/answers, bot/kb, bot/faq)."""
