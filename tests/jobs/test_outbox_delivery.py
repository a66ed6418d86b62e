"""Notices leave through the outbox: to a folder without SMTP, to a real SMTP server with one."""

import asyncio
import email
import email.policy
import os
from dataclasses import replace

from arq import create_pool
from arq.connections import RedisSettings
from arq.worker import Worker
from redis.exceptions import RedisError

from jobs.relay import relay_outbox
from jobs.tasks import deliver_outbox_message
from models.tables import OutboxMessage
from service.usecases.bootstrap import ensure_admin
from tests.api.helpers import (
    ADMIN,
    enrolled_enterprise,
    login,
    missing_service,
    serving,
)

REDIS_TEST_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/5")


async def wait_for(condition, seconds: float = 15.0):
    for _ in range(int(seconds * 10)):
        if result := await condition():
            return result
        await asyncio.sleep(0.1)
    raise AssertionError("timed out waiting")


async def enrol_one(client, admin) -> None:
    await enrolled_enterprise(client, admin, name="2027 朝阳中小企业")


async def delivered_row():
    return await OutboxMessage.select().where(OutboxMessage.delivered_at.is_not_null()).first()


async def test_without_smtp_the_notice_lands_in_the_outbox_folder(client, admin, settings):
    await enrol_one(client, admin)
    row = await wait_for(delivered_row)
    files = list(settings.outbox_dir.glob("*.eml"))
    assert [path.stem for path in files] == [str(row["id"])]
    message = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert (message["To"], message["From"]) == ("li@spark.test", "programme@bar.test")
    assert "600" in message.get_body().get_content()


async def test_smtp_refusing_then_accepting_delivers_exactly_once(settings, smtp_server):
    inbox, url = smtp_server
    inbox.refusals_left = 1
    async with serving(replace(settings, smtp_url=url)) as client:
        await ensure_admin(*ADMIN)
        await enrol_one(client, await login(client, *ADMIN))

        async def refused_once():
            row = await OutboxMessage.select().first()
            return row if row["attempts"] == 1 else None

        row = await wait_for(refused_once)
        assert "451" in row["last_error"] and row["delivered_at"] is None
        # skip the back-off instead of waiting ten seconds
        await OutboxMessage.update({OutboxMessage.next_attempt_at: row["created_at"]}).where(
            OutboxMessage.id == row["id"]
        )
        await wait_for(delivered_row)
        await asyncio.sleep(2.5)  # another relay pass must not send it again
    assert len(inbox.messages) == 1
    assert inbox.messages[0]["Message-ID"] == f"<{row['id']}@probono-hours>"


async def test_with_redis_a_burst_worker_delivers_what_the_relay_enqueued(settings):
    try:
        redis = await create_pool(replace(RedisSettings.from_dsn(REDIS_TEST_URL), conn_retries=0))
    except (OSError, RedisError) as error:
        missing_service(f"Redis at {REDIS_TEST_URL} is unreachable: {error}")
    await redis.flushdb()
    ctx = {"settings": settings}
    async with serving(replace(settings, outbox_relay_seconds=0)) as client:
        await ensure_admin(*ADMIN)
        await enrol_one(client, await login(client, *ADMIN))
        assert await relay_outbox(ctx, redis) == 1
        assert await relay_outbox(ctx, redis) == 1  # same attempt, same job id: queued once
        assert len(await redis.queued_jobs()) == 1
        worker = Worker(
            functions=[deliver_outbox_message],
            redis_pool=redis,
            burst=True,
            ctx=ctx,
            handle_signals=False,
        )
        try:
            await worker.main()
        finally:
            await redis.flushdb()
            await worker.close()
        assert (worker.jobs_complete, worker.jobs_failed) == (1, 0)
        assert await delivered_row()
    assert len(list(settings.outbox_dir.glob("*.eml"))) == 1
