"""The deletion reference a student keeps: derived from the conversation's sender id, never the
id itself.

A keyed HMAC (the inbox salt: INBOX_SALT, else the one stored in the staff database's settings,
bot/staff_db/inbox.py) over a domain-separated message, so the reference says nothing about the
sender id and nothing about the inbox's `sender_hash` either. Ten base32 letters (50 bits) with
a dash in the middle: short enough to read out or copy from a phone, and at 100,000 senders the
chance that two share a reference is about 1 in 200,000 (deletion refuses such a reference
rather than guess, bot/privacy/deletion.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

LENGTH = 10  # base32 characters: 50 bits
_BLOCK = 64  # SHA-256's block size (HMAC pads the key to it)
_DOMAIN = b"beu-deletion-reference\x00"
_ALPHABET = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
# What people mistype when copying base32 by hand: the digits 0, 1 and 8 are not in it.
_LOOKALIKES = str.maketrans({"0": "O", "1": "I", "8": "B"})
_SEPARATORS = re.compile(r"[\s\-_.·–—]+")


def _format(code: str) -> str:
    half = LENGTH // 2
    return f"{code[:half]}-{code[half:]}"


class ReferenceMaker:
    """HMAC-SHA256 under one key with its padded inner and outer states computed once: finding a
    reference among 100,000 senders makes 100,000 of them, and `hmac.new` per sender costs
    several times more than copying the two states (RFC 2104 itself, tested against `hmac`)."""

    def __init__(self, key: str) -> None:
        raw = key.encode("utf-8")
        if len(raw) > _BLOCK:
            raw = hashlib.sha256(raw).digest()
        raw = raw.ljust(_BLOCK, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in raw))
        self._inner.update(_DOMAIN)
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in raw))

    def __call__(self, sender_id: str) -> str:
        """The reference of the conversation `sender_id`, e.g. "K3QZP-7WDMA"."""
        inner = self._inner.copy()
        inner.update(str(sender_id).encode("utf-8"))
        outer = self._outer.copy()
        outer.update(inner.digest())
        return _format(base64.b32encode(outer.digest()[:7]).decode("ascii")[:LENGTH])


def deletion_reference(key: str, sender_id: str) -> str:
    """The reference of the conversation `sender_id` (stable per key)."""
    return ReferenceMaker(key)(sender_id)


def reference_by_hmac(key: str, sender_id: str) -> str:
    """The same, by the standard library's `hmac` (what ReferenceMaker is checked against)."""
    digest = hmac.digest(key.encode("utf-8"), _DOMAIN + str(sender_id).encode("utf-8"), "sha256")
    return _format(base64.b32encode(digest[:7]).decode("ascii")[:LENGTH])


def parse_reference(text: str) -> str | None:
    """A reference as someone typed it ("k3qzp 7wdma", "K3QZP-7WDMA") in its canonical form, or
    None when it cannot be one (wrong length, letters base32 never uses)."""
    code = _SEPARATORS.sub("", str(text or "")).upper().translate(_LOOKALIKES)
    if len(code) != LENGTH or not set(code) <= _ALPHABET:
        return None
    return _format(code)
