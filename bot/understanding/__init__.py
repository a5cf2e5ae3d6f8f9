"""Understanding what a message means beyond its intent: its claims, roles and parts."""
