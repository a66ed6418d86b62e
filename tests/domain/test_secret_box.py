"""Sealing short secrets with the service key."""

import pytest

from service.secret_box import SealedSecretError, open_sealed, seal

KEY = "test-secret-key-that-is-long-enough-for-hs256"
PASSWORD = "律师-password-42"


def test_a_sealed_secret_opens_with_the_same_key():
    assert open_sealed(KEY, seal(KEY, PASSWORD)) == PASSWORD


def test_the_stored_text_does_not_hold_the_secret_and_differs_each_time():
    first, second = seal(KEY, PASSWORD), seal(KEY, PASSWORD)
    assert first != second
    assert PASSWORD not in first
    assert "password" not in first.lower()
    assert first.isascii()


def test_another_key_cannot_open_it():
    with pytest.raises(SealedSecretError, match="SECRET_KEY"):
        open_sealed(KEY.replace("test", "prod"), seal(KEY, PASSWORD))


def test_an_altered_token_is_refused():
    token = seal(KEY, PASSWORD)
    altered = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    with pytest.raises(SealedSecretError):
        open_sealed(KEY, altered)


def test_a_short_key_is_refused():
    with pytest.raises(ValueError, match="32"):
        seal("short", PASSWORD)
