"""Operations: starting and supervising the processes of each profile, the project-local
services (PostgreSQL, Redis, nginx), and retention. Runs in the `python -m bot` process that
`make run` starts, never inside a server."""
