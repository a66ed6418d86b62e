"""Argon2 password hashes; hashing is slow on purpose, so it runs off the event loop."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Verified when the e-mail is unknown, so a wrong e-mail costs as long as a wrong password.
_DECOY_HASH = _hasher.hash("decoy password")


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def password_matches(password_hash: str | None, password: str) -> bool:
    def verify() -> bool:
        try:
            return _hasher.verify(password_hash or _DECOY_HASH, password)
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(verify) and password_hash is not None
