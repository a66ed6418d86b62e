"""Top-up requests: an enterprise asks for more minutes, the bar association decides.

Each step is one transaction with its audit entry and notice; approval writes a ledger
`top_up` entry, so the hours page shows the new minutes at once.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec

from models import audit_log, outbox
from models.database import current_engine, write_transaction
from models.ledger_store import move_minutes
from models.tables import Enterprise, Program, TopUpRequest
from service.auth import ENTERPRISE, Principal
from service.domain.errors import Conflict, Unprocessable
from service.domain.ledger import EntryKind
from service.schemas import TopUpRequestCreate, TopUpRequestOut, TopUpStatus
from service.usecases.enrolments import find_enrolment
from service.usecases.paging import Page
from service.usecases.rows import one_row

TOP_UP_COLUMNS = (
    TopUpRequest.id,
    TopUpRequest.program.as_alias("program_id"),
    TopUpRequest.enterprise.as_alias("enterprise_id"),
    TopUpRequest.minutes,
    TopUpRequest.reason,
    TopUpRequest.status,
    TopUpRequest.requested_by,
    TopUpRequest.created_at,
    TopUpRequest.decided_by,
    TopUpRequest.decided_at,
    TopUpRequest.decision_reason,
)


async def get_top_up(request_id: UUID) -> TopUpRequestOut:
    row = await one_row(TopUpRequest, request_id, "top-up request")
    return await _out(row["id"])


async def _out(request_id: UUID) -> TopUpRequestOut:
    row = await TopUpRequest.select(*TOP_UP_COLUMNS).where(TopUpRequest.id == request_id).first()
    return msgspec.convert(row, TopUpRequestOut)


async def request_top_up(
    actor: str, enterprise_id: UUID, data: TopUpRequestCreate
) -> TopUpRequestOut:
    async with write_transaction(current_engine()):
        enrolment = await find_enrolment(enterprise_id, data.program_id)
        enterprise = await one_row(Enterprise, enterprise_id, "enterprise")
        program = await one_row(Program, enrolment["program_id"], "programme")
        if program["ends_on"] < datetime.now(ZoneInfo(program["timezone"])).date():
            raise Unprocessable(
                f"{program['name']!r} ended on {program['ends_on']}; minutes can only be added "
                "to a programme that is still running"
            )
        request = TopUpRequest(
            enrolment=enrolment["id"],
            program=program["id"],
            enterprise=enterprise_id,
            minutes=data.minutes,
            reason=data.reason,
            requested_by=actor,
        )
        await request.save()
        created = await _out(request.id)
        await audit_log.record(
            actor, "top_up.requested", "top_up_request", request.id, after=created
        )
        await outbox.enqueue(
            "top_up.requested",
            program["mailbox"],
            request.id,
            requested_notice(program, enterprise, created),
        )
    return created


async def decide(
    actor: str, request_id: UUID, status: TopUpStatus, reason: str | None, now: datetime
) -> TopUpRequestOut:
    """Approve (minutes added to the allocation) or reject a pending request."""
    async with write_transaction(current_engine()):
        row = await one_row(TopUpRequest, request_id, "top-up request", lock=True)
        if row["status"] != "pending":
            raise Conflict(f"this top-up request is already {row['status']}")
        before = await _out(request_id)
        if status == "approved":
            await move_minutes(row["enrolment"], EntryKind.TOP_UP, row["minutes"], actor)
        await TopUpRequest.update(
            {
                TopUpRequest.status: status,
                TopUpRequest.decided_by: actor,
                TopUpRequest.decided_at: now.astimezone(UTC),
                TopUpRequest.decision_reason: reason,
            }
        ).where(TopUpRequest.id == request_id)
        after = await _out(request_id)
        await audit_log.record(
            actor, f"top_up.{status}", "top_up_request", request_id, before=before, after=after
        )
        program = await one_row(Program, row["program"], "programme")
        enterprise = await one_row(Enterprise, row["enterprise"], "enterprise")
        await outbox.enqueue(
            f"top_up.{status}",
            enterprise["contact_email"],
            request_id,
            decided_notice(program, enterprise, after),
        )
    return after


async def list_top_ups(
    principal: Principal, status: TopUpStatus | None, page: Page
) -> list[TopUpRequestOut]:
    """Oldest first (the queue the bar association works through); an enterprise sees its own."""
    query = TopUpRequest.select(*TOP_UP_COLUMNS)
    if principal.role == ENTERPRISE:
        query = query.where(TopUpRequest.enterprise == principal.enterprise_id)
    if status is not None:
        query = query.where(TopUpRequest.status == status)
    rows = await (
        query.order_by(TopUpRequest.created_at)
        .order_by(TopUpRequest.id)
        .limit(page.limit)
        .offset(page.offset)
    )
    return msgspec.convert(rows, list[TopUpRequestOut])


def requested_notice(program: dict, enterprise: dict, request: TopUpRequestOut) -> dict[str, str]:
    return {
        "sender": program["mailbox"],
        "subject": f"{enterprise['name']}: 申请追加 {request.minutes} 分钟 / asks for "
        f"{request.minutes} more minutes",
        "text": (
            f"{enterprise['name']} 申请在“{program['name']}”中追加 {request.minutes} 分钟。"
            f"理由：{request.reason}\n\n"
            f"{enterprise['name']} asks for {request.minutes} more minutes in "
            f"{program['name']!r}. Reason: {request.reason}\n\n"
            f"POST /api/v1/top-up-requests/{request.id}/approve or …/reject\n"
        ),
    }


def decided_notice(program: dict, enterprise: dict, request: TopUpRequestOut) -> dict[str, str]:
    if request.status == "approved":
        chinese = f"您申请的 {request.minutes} 分钟已批准，已计入贵企业的服务时长。"
        english = f"Your request for {request.minutes} more minutes was approved; they are added."
    else:
        chinese = f"您申请的 {request.minutes} 分钟未获批准。理由：{request.decision_reason}"
        english = (
            f"Your request for {request.minutes} more minutes was not approved. "
            f"Reason: {request.decision_reason}"
        )
    return {
        "sender": program["mailbox"],
        "subject": f"{program['name']}: 追加时长申请 / top-up request {request.status}",
        "text": (
            f"{enterprise['contact_name']}，您好：\n\n{chinese}\n\n"
            f"Dear {enterprise['contact_name']},\n\n{english}\n"
        ),
    }
