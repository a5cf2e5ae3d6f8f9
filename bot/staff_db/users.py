"""Staff accounts for the admin: bcrypt password hashes and a brake on password guessing.

Failed logins are counted over a sliding window, per (username, client address) and per client
address; past a limit, `verify` refuses without even checking the password until old failures
leave the window. Never per username alone: then anyone could lock a staff member out of their
own account by guessing at it from elsewhere. So a guesser locks only their own address (after
ADDRESS_MAX_FAILURES tries with any names, or MAX_FAILURES at one name), and the owner of a name
logs in from their own address as usual. Attempts made while locked are not recorded, so a lock
always lifts one WINDOW after the failures that caused it. The address is the real client's,
resolved behind the trusted proxy (bot/web/admin/auth.py `client_ip`, docs/security.md).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import math
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Callable, List

import bcrypt
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from bot.staff_db import tables as t
from bot.staff_db.db import as_utc, utcnow, write_transaction
from bot.staff_db.errors import NotFoundError
from bot.staff_db.validation import ValidationError

USERNAME = re.compile(r"^[a-z0-9._-]{3,40}$")
MIN_PASSWORD = 10
MAX_PASSWORD = 1000
MAX_FAILURES = 5  # at one username from one address
# With any usernames from one address: more than one person's typos (an office behind one
# NAT address), far fewer than a guesser needs.
ADDRESS_MAX_FAILURES = 20
WINDOW = dt.timedelta(minutes=15)
KEEP_ATTEMPTS = dt.timedelta(days=30)
DEFAULT_ROUNDS = 12


NAME_AT_ADDRESS = "name_at_address"
ADDRESS = "address"


class RateLimited(Exception):
    """Too many failed logins; try again in `retry_after_seconds`. `scope` says which count hit
    its limit: NAME_AT_ADDRESS (this username from this address) or ADDRESS (any username from
    this address)."""

    def __init__(self, retry_after_seconds: int, scope: str = NAME_AT_ADDRESS) -> None:
        self.retry_after_seconds = retry_after_seconds
        self.scope = scope
        super().__init__(f"too many failed logins ({scope}); try again in {retry_after_seconds} s")


@dataclass(frozen=True)
class User:
    id: int
    username: str
    created_at: dt.datetime
    disabled: bool


def _secret(password: str) -> bytes:
    """SHA-256 first: bcrypt reads 72 bytes at most (bcrypt 5 refuses more); passphrases vary."""
    return base64.b64encode(hashlib.sha256(password.encode("utf-8")).digest())


def check_username(username: str) -> None:
    if not isinstance(username, str) or not USERNAME.match(username):
        raise ValidationError(
            {"username": "3-40 characters: lower-case letters, digits, '.', '_' or '-'"}
        )


def check_password(password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise ValidationError({"password": f"use at least {MIN_PASSWORD} characters"})
    if len(password) > MAX_PASSWORD:
        raise ValidationError({"password": f"use at most {MAX_PASSWORD} characters"})


class Users:
    """Staff accounts of one database. `rounds` is bcrypt's cost (tests lower it)."""

    def __init__(
        self,
        engine: Engine,
        rounds: int = DEFAULT_ROUNDS,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.engine = engine
        self.rounds = rounds
        self.clock = clock

    def _hash(self, password: str) -> str:
        return bcrypt.hashpw(_secret(password), bcrypt.gensalt(self.rounds)).decode("ascii")

    @cached_property
    def _dummy_hash(self) -> bytes:
        # checked for unknown users too, so response time does not reveal which names exist
        return self._hash("not-a-password-anyone-has").encode("ascii")

    def add_user(self, username: str, password: str) -> User:
        check_username(username)
        check_password(password)
        values = {
            "username": username,
            "password_hash": self._hash(password),
            "created_at": self.clock(),
            "disabled": False,
        }
        try:
            with write_transaction(self.engine) as connection:
                connection.execute(insert(t.users).values(**values))
        except IntegrityError as error:
            raise ValidationError({"username": f"{username!r} already exists"}) from error
        return self.get(username)

    def get(self, username: str) -> User:
        statement = select(t.users).where(t.users.c.username == username)
        with self.engine.connect() as connection:
            row = connection.execute(statement).first()
        if row is None:
            raise NotFoundError(f"no user {username!r}")
        return User(row.id, row.username, as_utc(row.created_at), bool(row.disabled))

    def list_users(self) -> List[User]:
        statement = select(t.users).order_by(t.users.c.username)
        with self.engine.connect() as connection:
            rows = connection.execute(statement).all()
        return [User(r.id, r.username, as_utc(r.created_at), bool(r.disabled)) for r in rows]

    def set_password(self, username: str, password: str) -> None:
        check_password(password)
        self._update(username, password_hash=self._hash(password))

    def disable(self, username: str) -> None:
        self._update(username, disabled=True)

    def enable(self, username: str) -> None:
        self._update(username, disabled=False)

    def _update(self, username: str, **values: object) -> None:
        statement = update(t.users).where(t.users.c.username == username).values(**values)
        with write_transaction(self.engine) as connection:
            if connection.execute(statement).rowcount == 0:
                raise NotFoundError(f"no user {username!r}")

    def verify(self, username: str, password: str, ip: str) -> bool:
        """True for the right password of an enabled user. Records the attempt.

        Raises RateLimited (before looking at the password) when this username from this
        address has had MAX_FAILURES failed attempts within WINDOW, or this address
        ADDRESS_MAX_FAILURES with any usernames. The attempt is written as a failure before
        bcrypt runs and turned into a success after, so guesses fired in parallel all count.
        """
        username = str(username)[:100]
        ip = str(ip)[:64]
        now = self.clock()
        attempts = t.login_attempts
        with write_transaction(self.engine) as connection:
            locked = self._lock(connection, username, ip, now)
            if locked:
                raise locked
            row = connection.execute(
                select(t.users.c.password_hash, t.users.c.disabled).where(
                    t.users.c.username == username
                )
            ).first()
            attempt = connection.execute(
                insert(attempts).values(username=username, ip=ip, time=now, success=False)
            ).inserted_primary_key[0]
            connection.execute(delete(attempts).where(attempts.c.time < now - KEEP_ATTEMPTS))
        stored = row.password_hash.encode("ascii") if row else self._dummy_hash
        matches = bcrypt.checkpw(_secret(str(password)), stored)
        if not (row and matches and not row.disabled):
            return False
        with write_transaction(self.engine) as connection:
            connection.execute(
                update(attempts).where(attempts.c.id == attempt).values(success=True)
            )
        return True

    def _lock(
        self, connection: Connection, username: str, ip: str, now: dt.datetime
    ) -> RateLimited | None:
        """The lock on this attempt (the one lifting last), None when not locked.

        A successful login resets the count of its username at its address (a user who
        mistyped can go on); it does not reset the address's, so one working account cannot
        launder guesses at others.
        """
        table = t.login_attempts
        since = now - WINDOW
        last_success = connection.execute(
            select(func.max(table.c.id)).where(
                table.c.username == username,
                table.c.ip == ip,
                table.c.success.is_(True),
                table.c.time >= since,
            )
        ).scalar()
        counted = (
            (NAME_AT_ADDRESS, MAX_FAILURES, table.c.username == username, last_success or 0),
            (ADDRESS, ADDRESS_MAX_FAILURES, table.c.id > 0, 0),
        )
        locks = []
        for scope, limit, same_name, after in counted:
            times = (
                connection.execute(
                    select(table.c.time)
                    .where(
                        table.c.ip == ip,
                        same_name,
                        table.c.id > after,
                        table.c.success.is_(False),
                        table.c.time >= since,
                    )
                    .order_by(table.c.time.desc())
                    .limit(limit)
                )
                .scalars()
                .all()
            )
            if len(times) >= limit:
                oldest = as_utc(times[-1])  # when it leaves the window, fewer than the limit remain
                wait = math.ceil((oldest + WINDOW - now).total_seconds())
                if wait > 0:
                    locks.append(RateLimited(wait, scope))
        return max(locks, key=lambda lock: lock.retry_after_seconds, default=None)
