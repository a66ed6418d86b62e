"""Top-up requests: an enterprise asks for more minutes, the bar association decides."""

import asyncio
from datetime import date, timedelta

from models.tables import OutboxMessage, Program
from tests.api.helpers import (
    VALID_CREDIT_CODES,
    assert_problem,
    create_enterprise,
    create_enterprise_user,
    enrolled_enterprise,
)


async def ask(client, headers, enterprise, **fields):
    body = {"minutes": 120, "reason": "a second trademark dispute"} | fields
    return await client.post(
        f"/api/v1/enterprises/{enterprise['id']}/top-up-requests", json=body, headers=headers
    )


async def hours(client, headers, enterprise) -> dict:
    response = await client.get(f"/api/v1/enterprises/{enterprise['id']}/hours", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_an_approved_request_adds_the_minutes_once(client, admin):
    program, enterprise = await enrolled_enterprise(client, admin)
    owner = await create_enterprise_user(client, admin, enterprise["id"])
    asked = await ask(client, owner, enterprise)
    assert asked.status_code == 201, asked.text
    request = asked.json()
    assert (request["status"], request["minutes"], request["program_id"]) == (
        "pending",
        120,
        program["id"],
    )
    assert request["requested_by"] == "owner@spark.test"

    queue = await client.get("/api/v1/top-up-requests", params={"status": "pending"}, headers=admin)
    assert [r["id"] for r in queue.json()] == [request["id"]]

    url = f"/api/v1/top-up-requests/{request['id']}"
    decisions = await asyncio.gather(
        *(client.post(f"{url}/approve", headers=admin) for _ in range(5))
    )
    assert sorted(d.status_code for d in decisions) == [200, 409, 409, 409, 409]
    assert_problem(next(d for d in decisions if d.status_code == 409), 409, "already approved")

    balance = await hours(client, owner, enterprise)
    assert (balance["topped_up_minutes"], balance["remaining_minutes"]) == (120, 720)
    assert [(line["kind"], line["minutes"]) for line in balance["ledger"]] == [
        ("grant", 600),
        ("top_up", 120),
    ]
    assert balance["ledger"][1]["actor"] == "admin@bar.test"
    seen = (await client.get(url, headers=owner)).json()
    assert (seen["status"], seen["decided_by"]) == ("approved", "admin@bar.test")

    notices = await OutboxMessage.select(OutboxMessage.kind, OutboxMessage.recipient).where(
        OutboxMessage.subject_id == request["id"]
    )
    assert sorted((n["kind"], n["recipient"]) for n in notices) == [
        ("top_up.approved", enterprise["contact_email"]),
        ("top_up.requested", program["mailbox"]),
    ]
    audit = await client.get("/api/v1/audit", params={"entity_id": request["id"]}, headers=admin)
    assert [e["action"] for e in audit.json()] == ["top_up.requested", "top_up.approved"]


async def test_a_rejected_request_says_why_and_changes_nothing(client, admin):
    _, enterprise = await enrolled_enterprise(client, admin)
    owner = await create_enterprise_user(client, admin, enterprise["id"])
    request = (await ask(client, owner, enterprise, minutes=300)).json()
    url = f"/api/v1/top-up-requests/{request['id']}"
    assert_problem(await client.post(f"{url}/reject", json={}, headers=admin), 422, "reason")
    rejected = await client.post(f"{url}/reject", json={"reason": "budget spent"}, headers=admin)
    assert rejected.status_code == 200, rejected.text
    assert (rejected.json()["status"], rejected.json()["decision_reason"]) == (
        "rejected",
        "budget spent",
    )
    assert_problem(await client.post(f"{url}/approve", headers=admin), 409, "already rejected")
    balance = await hours(client, owner, enterprise)
    assert (balance["topped_up_minutes"], balance["remaining_minutes"]) == (0, 600)


async def test_who_may_ask_and_decide_and_what_is_refused(client, admin):
    program, enterprise = await enrolled_enterprise(client, admin)
    owner = await create_enterprise_user(client, admin, enterprise["id"])
    other = await create_enterprise(client, admin, credit_code=VALID_CREDIT_CODES[1])
    assert_problem(await ask(client, owner, enterprise, minutes=45), 422, "30")
    assert_problem(await ask(client, owner, enterprise, minutes=0), 422)
    assert_problem(await ask(client, owner, other), 403)
    assert_problem(await ask(client, admin, other), 404, "not enrolled")
    filed_by_staff = await ask(client, admin, enterprise)  # taken on the phone
    assert filed_by_staff.status_code == 201
    request_id = filed_by_staff.json()["id"]
    assert_problem(
        await client.post(f"/api/v1/top-up-requests/{request_id}/approve", headers=owner), 403
    )
    other_owner = await create_enterprise_user(client, admin, other["id"], email="o@other.test")
    assert (await client.get("/api/v1/top-up-requests", headers=other_owner)).json() == []
    await Program.update({Program.ends_on: date.today() - timedelta(days=2)}).where(
        Program.id == program["id"]
    )
    assert_problem(await ask(client, owner, enterprise), 422, "ended")
    assert_problem(
        await client.get(f"/api/v1/top-up-requests/{request_id}", headers=other_owner), 403
    )
