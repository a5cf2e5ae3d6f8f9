"""Staff accounts: bcrypt hashes, verification, and the failed-login brake."""

from __future__ import annotations

import datetime as dt

import bcrypt
import pytest
from sqlalchemy import select

from bot.staff_db import tables as t
from bot.staff_db.errors import NotFoundError
from bot.staff_db.users import (
    ADDRESS,
    ADDRESS_MAX_FAILURES,
    MAX_FAILURES,
    NAME_AT_ADDRESS,
    WINDOW,
    RateLimited,
    Users,
    _secret,
)
from bot.staff_db.validation import ValidationError

PASSWORD = "correct horse battery"


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.timezone.utc)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture()
def clock():
    return Clock()


@pytest.fixture()
def users(engine, clock):
    return Users(engine, rounds=4, clock=clock)  # cheap bcrypt cost: tests hash a lot


def test_only_a_bcrypt_hash_is_stored(users, engine):
    users.add_user("aysel.m", PASSWORD)
    with engine.connect() as connection:
        row = connection.execute(select(t.users)).one()._mapping
    assert PASSWORD not in repr(dict(row))
    assert row["password_hash"].startswith("$2b$04$")
    assert bcrypt.checkpw(_secret(PASSWORD), row["password_hash"].encode())
    assert row["disabled"] is False


def test_verify_right_and_wrong(users, engine):
    users.add_user("aysel", PASSWORD)
    assert users.verify("aysel", PASSWORD, "10.0.0.1") is True
    assert users.verify("aysel", PASSWORD + "x", "10.0.0.1") is False
    assert users.verify("nobody", PASSWORD, "10.0.0.1") is False
    with engine.connect() as connection:
        attempts = connection.execute(
            select(t.login_attempts.c.username, t.login_attempts.c.success).order_by(
                t.login_attempts.c.id
            )
        ).all()
    assert [tuple(a) for a in attempts] == [("aysel", True), ("aysel", False), ("nobody", False)]


def test_long_passphrases_work_and_every_character_counts(users):
    long = "x" * 100
    users.add_user("aysel", long)
    assert users.verify("aysel", long, "ip") is True
    assert users.verify("aysel", "x" * 99 + "y", "ip") is False  # past bcrypt's 72 bytes


@pytest.mark.parametrize(
    ("name", "password", "field"),
    [
        ("aysel", "short", "password"),
        ("aysel", "123456789", "password"),
        ("Aysel", PASSWORD, "username"),
        ("ay", PASSWORD, "username"),
        ("a" * 41, PASSWORD, "username"),
        ("ay sel", PASSWORD, "username"),
    ],
)
def test_add_user_checks_name_and_password(users, name, password, field):
    with pytest.raises(ValidationError) as caught:
        users.add_user(name, password)
    assert list(caught.value.errors) == [field]
    assert users.list_users() == []


def test_usernames_are_unique(users):
    users.add_user("aysel", PASSWORD)
    with pytest.raises(ValidationError) as caught:
        users.add_user("aysel", PASSWORD)
    assert "exists" in caught.value.errors["username"]


def test_set_password_and_disable(users):
    users.add_user("aysel", PASSWORD)
    users.set_password("aysel", "a brand new passphrase")
    assert users.verify("aysel", PASSWORD, "ip") is False
    assert users.verify("aysel", "a brand new passphrase", "ip") is True

    users.disable("aysel")
    assert users.get("aysel").disabled is True
    assert users.verify("aysel", "a brand new passphrase", "ip") is False
    with pytest.raises(NotFoundError):
        users.disable("nobody")
    with pytest.raises(ValidationError):
        users.set_password("aysel", "short")


def test_repeated_failures_lock_the_name_at_that_address_until_the_window_passes(users, clock):
    users.add_user("aysel", PASSWORD)
    for _ in range(MAX_FAILURES):
        assert users.verify("aysel", "wrong password", "203.0.113.7") is False
        clock.advance(seconds=10)

    with pytest.raises(RateLimited) as caught:
        users.verify("aysel", PASSWORD, "203.0.113.7")  # even the right password
    assert caught.value.scope == NAME_AT_ADDRESS
    first_failure = WINDOW.total_seconds() - 10 * MAX_FAILURES
    assert caught.value.retry_after_seconds == pytest.approx(first_failure, abs=1)

    clock.advance(seconds=caught.value.retry_after_seconds - 1)
    with pytest.raises(RateLimited):
        users.verify("aysel", PASSWORD, "203.0.113.7")
    clock.advance(seconds=2)
    assert users.verify("aysel", PASSWORD, "203.0.113.7") is True


def test_a_guesser_at_a_name_does_not_lock_its_owner_out_elsewhere(users, clock):
    users.add_user("aysel", PASSWORD)
    for attacker in ("203.0.113.7", "203.0.113.8", "203.0.113.9"):
        for _ in range(MAX_FAILURES):
            users.verify("aysel", "wrong password", attacker)
        with pytest.raises(RateLimited):
            users.verify("aysel", PASSWORD, attacker)
    assert users.verify("aysel", PASSWORD, "198.51.100.1") is True  # the owner, at the office


def test_invented_names_from_one_address_lock_that_address_only(users, clock):
    for name in ("aysel", "bahruz"):
        users.add_user(name, PASSWORD)
    for index in range(ADDRESS_MAX_FAILURES):
        users.verify(f"guess{index}", "wrong password", "203.0.113.7")
        clock.advance(seconds=1)

    with pytest.raises(RateLimited) as caught:
        users.verify("aysel", PASSWORD, "203.0.113.7")
    assert caught.value.scope == ADDRESS
    assert 0 < caught.value.retry_after_seconds <= WINDOW.total_seconds()
    assert users.verify("aysel", PASSWORD, "198.51.100.1") is True  # other addresses are not locked
    assert users.verify("bahruz", PASSWORD, "198.51.100.2") is True


def test_a_few_typos_by_several_staff_behind_one_address_lock_nobody(users, clock):
    names = [f"staff{i}" for i in range((ADDRESS_MAX_FAILURES - 1) // (MAX_FAILURES - 1))]
    for name in names:
        users.add_user(name, PASSWORD)
        for _ in range(MAX_FAILURES - 1):
            assert users.verify(name, "typo typo typo", "198.51.100.1") is False
    for name in names:
        assert users.verify(name, PASSWORD, "198.51.100.1") is True


def test_a_success_resets_the_count_of_that_name_at_that_address(users, clock):
    users.add_user("aysel", PASSWORD)
    for _ in range(MAX_FAILURES - 1):
        users.verify("aysel", "typo typo typo", "ip")
    assert users.verify("aysel", PASSWORD, "ip") is True
    clock.advance(seconds=1)
    for _ in range(MAX_FAILURES - 1):  # 8 failures in the window, but 4 since the success
        assert users.verify("aysel", "typo typo typo", "ip") is False
    assert users.verify("aysel", PASSWORD, "ip") is True


def test_attempts_while_locked_do_not_extend_the_lock(users, clock):
    users.add_user("aysel", PASSWORD)
    for _ in range(MAX_FAILURES):
        users.verify("aysel", "wrong password", "ip")
    for _ in range(20):
        clock.advance(minutes=1)
        try:
            users.verify("aysel", "still guessing", "ip")
        except RateLimited:
            pass
        else:
            break
    # the lock lifted 15 minutes after the failures, despite a guess every minute
    assert clock.now - dt.datetime(
        2024, 6, 1, 12, 0, tzinfo=dt.timezone.utc
    ) <= WINDOW + dt.timedelta(minutes=1)
