"""Fault drills against real processes: the arq worker (`python -m service.cli worker`), the API
server (`python -m service.cli serve`), a redis-server of our own and a real SMTP server, on
SQLite and PostgreSQL.

1. SMTP refuses for a while, then accepts: every notice arrives exactly once.
2. The worker is SIGKILLed mid-batch and restarted: nothing is lost; a notice sent twice
   carries the same Message-ID both times.
3. Redis is down while bookings are made: they succeed, /health says the queue is down, and
   the notices go out (once each) when Redis and a worker are back.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import httpx
from arq.constants import in_progress_key_prefix

from jobs.mail import message_id
from models import outbox
from models.database import write_transaction
from models.tables import OutboxMessage
from service.usecases.bootstrap import ensure_admin
from tests.api.booking_setup import stage
from tests.api.helpers import ADMIN, login, serving
from tests.drills.conftest import (
    Timeout,
    kill,
    no_delivery_pending,
    relaying,
    wait_until,
)

BOOKING_HOURS = (9, 11, 13)
# 1 enrolment notice + 2 invites per booking = 7 notices; more refusals than notices, so some
# notices are refused twice before SMTP accepts again.
REFUSALS = 10
NOTICES = 200
SMTP_SECONDS_PER_MESSAGE = 0.05
KILL_AFTER_RECEIVED = 40
RELAY_FAILED = "relay_outbox pass failed"


class StillUndelivered(Timeout):
    """Notices were still undelivered at the drill's deadline."""


# --- the outbox as the database sees it -------------------------------------------------------


async def outbox_rows() -> list[dict]:
    return await OutboxMessage.select(
        OutboxMessage.id,
        OutboxMessage.attempts,
        OutboxMessage.last_error,
        OutboxMessage.delivered_at,
    )


async def all_delivered() -> bool:
    return not await OutboxMessage.exists().where(OutboxMessage.delivered_at.is_null())


def once_each(rows: list[dict]) -> Counter[str]:
    """What the inbox must hold: every row's Message-ID, exactly once."""
    return Counter({message_id(row["id"]): 1 for row in rows})


async def book(client: httpx.AsyncClient, st, hours=BOOKING_HOURS) -> None:
    for hour in hours:
        response = await client.post("/api/v1/bookings", json=st.booking(hour), headers=st.owner)
        assert response.status_code == 201, response.text


# --- 1. SMTP refusing for a while -------------------------------------------------------------


async def test_smtp_refusing_for_a_while_then_accepting_delivers_each_notice_once(
    settings, inbox, redis_server, start_worker
):
    mailbox, smtp_url = inbox
    async with serving(replace(settings, outbox_relay_seconds=0)) as client:
        await ensure_admin(*ADMIN)
        await book(client, await stage(client, await login(client, *ADMIN)))
        rows = await outbox_rows()
        assert len(rows) == 1 + 2 * len(BOOKING_HOURS)

        mailbox.refusals_left = REFUSALS
        # back-off 1 s instead of 10 s: refused notices come back both as arq's own retry of
        # the job and through the relay; the claim must let only one of them send
        start_worker(redis_server.url, smtp_url, short_backoff=True)
        async with relaying(redis_server.url) as queue:
            await wait_until(all_delivered, 25, "every notice delivered")
            # once no delivery job is left (the deferred retries ran), nothing can send again
            await wait_until(
                lambda: no_delivery_pending(queue), 15, "the deferred retries to finish"
            )
        rows = await outbox_rows()

    assert mailbox.refusals_left == 0
    assert mailbox.message_ids() == once_each(rows)
    # every refusal was recorded against a notice, every notice was delivered once
    assert sum(row["attempts"] for row in rows) == len(rows) + REFUSALS
    assert all("451" in row["last_error"] for row in rows if row["attempts"] > 1)


# --- 2. the worker killed mid-batch -----------------------------------------------------------


async def enqueue_notices(engine, count: int) -> None:
    async with write_transaction(engine):
        for number in range(count):
            payload = {
                "sender": "programme@bar.test",
                "subject": f"Drill notice {number}",
                "text": f"Notice number {number}.",
            }
            await outbox.enqueue("drill.notice", f"party{number}@drill.test", None, payload)


async def leased_ids() -> set:
    """Undelivered notices a deliverer has claimed and not yet reported on."""
    now = outbox.utcnow()
    rows = await OutboxMessage.select(OutboxMessage.id).where(
        OutboxMessage.delivered_at.is_null() & (OutboxMessage.next_attempt_at > now)
    )
    return {row["id"] for row in rows}


async def undelivered_ids() -> set:
    rows = await OutboxMessage.select(OutboxMessage.id).where(OutboxMessage.delivered_at.is_null())
    return {row["id"] for row in rows}


async def expire_in_progress_marks(queue) -> int:
    """Fast-forward arq's clock: a started job is marked in progress for job_timeout + 10 s
    (70 s) and no other worker runs it meanwhile; a dead worker's marks simply lapse. Called
    while no worker runs, so every mark is the killed one's."""
    keys = [key async for key in queue.scan_iter(match=f"{in_progress_key_prefix}*")]
    if keys:
        await queue.delete(*keys)
    return len(keys)


async def expire_leases(ids: set) -> None:
    """Fast-forward the outbox's clock: the killed worker's leases (DELIVERY_LEASE, 2 minutes)
    run out and those notices fall due again."""
    await OutboxMessage.update({OutboxMessage.next_attempt_at: outbox.utcnow()}).where(
        OutboxMessage.id.is_in(list(ids)) & OutboxMessage.delivered_at.is_null()
    )


async def delivery_jobs_for(queue, ids: set) -> int:
    wanted = {str(row_id) for row_id in ids}
    jobs = await queue.queued_jobs()
    return sum(job.function == "deliver_outbox_message" and job.args[0] in wanted for job in jobs)


def received_by_notice(mailbox) -> dict[str, set[str]]:
    """The Message-IDs received for each notice (told apart by subject)."""
    ids: dict[str, set[str]] = {}
    for message in list(mailbox.messages):
        ids.setdefault(message["Subject"], set()).add(message["Message-ID"])
    return ids


async def test_worker_killed_mid_batch_loses_nothing_and_resends_under_the_same_message_id(
    engine, inbox, redis_server, start_worker
):
    mailbox, smtp_url = inbox
    mailbox.delay = SMTP_SECONDS_PER_MESSAGE
    await enqueue_notices(engine, NOTICES)
    rows = await outbox_rows()

    async with relaying(redis_server.url) as queue:
        first = start_worker(redis_server.url, smtp_url)
        # kill while SMTP has kept messages it has not confirmed yet: they arrived, but the
        # worker cannot have marked them delivered, so re-sending them later is legitimate
        await wait_until(
            lambda: len(mailbox.messages) >= KILL_AFTER_RECEIVED and mailbox.unconfirmed,
            20,
            "the first deliveries with more in flight",
            interval=0.005,
        )
        kill(first)
        received_at_kill = len(mailbox.messages)
        leased = await leased_ids()  # no worker runs now: these leases are the dead worker's
        assert received_at_kill < NOTICES and leased, "the kill missed the batch"

        # Time as it really passes after a crash, fast-forwarded: at 70 s arq lets another
        # worker run the dead one's jobs; the leases hold until 2 minutes.
        await expire_in_progress_marks(queue)
        start_worker(redis_server.url, smtp_url)

        async def the_rest_delivered_and_leased_jobs_done() -> bool:
            pending = await undelivered_ids()
            return pending <= leased and not await delivery_jobs_for(queue, leased)

        await wait_until(
            the_rest_delivered_and_leased_jobs_done, 25, "every notice but the leased ones"
        )
        await expire_leases(leased)
        await wait_until(all_delivered, 10, "the leased notices delivered", error=StillUndelivered)

    received = mailbox.message_ids()
    duplicates = sum(received.values()) - len(received)
    print(
        f"\nSIGKILL after {received_at_kill}/{NOTICES} received, {len(leased)} leased: "
        f"{sum(received.values())} messages received, {duplicates} duplicate(s)"
    )
    assert set(received) == set(once_each(rows))  # nothing missing, nothing unknown
    by_notice = received_by_notice(mailbox)
    assert len(by_notice) == NOTICES and all(len(ids) == 1 for ids in by_notice.values())
    # the unconfirmed ones were sent again (same Message-ID); nothing else was
    assert 1 <= duplicates <= len(leased)


# --- 3. Redis down while bookings are made ----------------------------------------------------


async def health(client: httpx.AsyncClient) -> dict:
    response = await client.get("/health")
    assert response.status_code == 200, response.text
    return response.json()


async def test_redis_down_while_booking_then_notices_go_out_once_it_is_back(
    engine, inbox, redis_server, start_api_server, start_worker
):
    mailbox, smtp_url = inbox
    server = await start_api_server(
        REDIS_URL=redis_server.url, SMTP_URL=smtp_url, OUTBOX_RELAY_SECONDS="1"
    )
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
        st = await stage(client, await login(client, *ADMIN))
        assert (await health(client))["queue"] == "up"

        redis_server.stop()  # whatever the relay had queued is lost with it
        assert await health(client) == {"status": "degraded", "database": "up", "queue": "down"}
        failures_before = server.log().count(RELAY_FAILED)
        await book(client, st)
        await wait_until(
            lambda: server.log().count(RELAY_FAILED) > failures_before,
            10,
            "a relay pass to fail while Redis is down",
        )
        rows = await outbox_rows()
        assert len(rows) == 1 + 2 * len(BOOKING_HOURS)
        assert all(row["delivered_at"] is None and row["attempts"] == 0 for row in rows)

        redis_server.start()
        start_worker(redis_server.url, smtp_url)
        await wait_until(
            lambda: _queue_is(client, "up"), 10, "/health to report the queue up again"
        )
        await wait_until(all_delivered, 25, "every notice delivered")

    assert mailbox.message_ids() == once_each(rows)


async def _queue_is(client: httpx.AsyncClient, state: str) -> bool:
    return (await health(client))["queue"] == state
