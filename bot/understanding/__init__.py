"""Understanding what a student wrote beyond one intent: its questions, who is who, what it
asserts, and which facts it is about."""
