"""Idempotency keys: the first response to a key is the answer to every replay of it."""

from __future__ import annotations

from typing import Any

import msgspec

from models.tables import IdempotencyKey
from service.domain.errors import Unprocessable

PENDING = 0


class Replay(Exception):
    """The key was used before with the same body: answer with what was answered then."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


async def claim(key: str, request_hash: str) -> None:
    """Inside the write transaction, before the work: take the key or raise Replay.

    On PostgreSQL a concurrent insert of the same key waits for the first transaction: if that
    commits, ours does nothing and the stored answer is read back (a fresh statement sees the
    commit); if it rolls back, ours takes the key. SQLite's write lock serialises the same.
    """
    taken = (
        await IdempotencyKey.insert(
            IdempotencyKey(
                key=key, request_hash=request_hash, response_status=PENDING, response_body={}
            )
        )
        .on_conflict(action="DO NOTHING")
        .returning(IdempotencyKey.key)
    )
    if taken:
        return
    row = (
        await IdempotencyKey.select()
        .where(IdempotencyKey.key == key)
        .output(load_json=True)
        .first()
    )
    if row["request_hash"] != request_hash:
        raise Unprocessable(
            "this Idempotency-Key was already used with a different request body; "
            "use a new key for a new request"
        )
    raise Replay(row["response_status"], row["response_body"])


async def remember(key: str, status: int, body: msgspec.Struct) -> None:
    await IdempotencyKey.update(
        {
            IdempotencyKey.response_status: status,
            IdempotencyKey.response_body: msgspec.to_builtins(body),
        }
    ).where(IdempotencyKey.key == key)
