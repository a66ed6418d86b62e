"""Short secrets (a lawyer's CalDAV password) sealed with the service's SECRET_KEY.

A database dump alone does not reveal them. The Fernet key is derived with HKDF under its own
purpose label, so it is unrelated to the key that signs bearer tokens although both come
from SECRET_KEY. Fernet authenticates as well as encrypts: a token sealed under another key,
or altered, is refused instead of opening to garbage.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_PURPOSE = b"probono-hours secret box v1"
MIN_SECRET_KEY_LENGTH = 32


class SealedSecretError(ValueError):
    """A sealed secret cannot be opened: SECRET_KEY changed since it was sealed, or it was altered."""


def _fernet(secret_key: str) -> Fernet:
    if len(secret_key) < MIN_SECRET_KEY_LENGTH:
        raise ValueError(f"the secret key must have at least {MIN_SECRET_KEY_LENGTH} characters")
    key = HKDF(algorithm=SHA256(), length=32, salt=None, info=_PURPOSE).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret_key: str, plaintext: str) -> str:
    """An ASCII token to store; a fresh random IV each time, so equal secrets look different."""
    return _fernet(secret_key).encrypt(plaintext.encode()).decode("ascii")


def open_sealed(secret_key: str, token: str) -> str:
    try:
        return _fernet(secret_key).decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeEncodeError):
        raise SealedSecretError(
            "the stored secret cannot be opened with the current SECRET_KEY (was the key changed?)"
        ) from None
