"""Understanding what a student wrote: questions, roles, premises and facts, beyond one intent."""
