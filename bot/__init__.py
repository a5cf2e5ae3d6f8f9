"""BEU international-student assistant. Each subpackage names the process it runs in:
rasa_server/ (the Rasa server), action_server/ (rasa-sdk), web/ (the demo page and the staff
admin), ops/ (starting and supervising them), offline/ (the build); answers/, kb/, faq/ and
language/ are shared by them, staff_db/ is the staff database. README.md, "Layout"."""
