"""The usage report through the API: what the bar association answers for."""

import csv
import io

from tests.api.booking_setup import session_has_started, stage
from tests.api.helpers import assert_problem


async def book(client, world, hour, lawyer, **fields) -> str:
    response = await client.post(
        "/api/v1/bookings", json=world.booking(hour, lawyer, **fields), headers=world.owner
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def test_usage_by_enterprise_and_lawyer_as_json_and_csv(client, admin):
    world = await stage(client, admin)
    given = await book(client, world, 9, 0)
    missed = await book(client, world, 11, 1, service="health_check")
    await book(client, world, 14, 0)
    for booking_id in (given, missed):
        await session_has_started(booking_id)
    done = await client.post(
        f"/api/v1/bookings/{given}/complete", json={"minutes_used": 30}, headers=admin
    )
    assert done.status_code == 200, done.text
    rated = await client.post(
        f"/api/v1/bookings/{given}/feedback", json={"rating": 4}, headers=world.owner
    )
    assert rated.status_code == 200, rated.text
    no_show = await client.post(f"/api/v1/bookings/{missed}/no-show", headers=admin)
    assert no_show.status_code == 200, no_show.text

    url = "/api/v1/reports/usage"
    params = {"program_id": world.program["id"]}
    by_enterprise = (await client.get(url, params=params, headers=admin)).json()
    assert by_enterprise["group_by"] == "enterprise"
    (row,) = by_enterprise["rows"]
    assert (row["group"], row["label"]) == (world.enterprise["id"], world.enterprise["name"])
    assert (
        row["granted_minutes"],
        row["held_minutes"],
        row["used_minutes"],
        row["forfeited_minutes"],
    ) == (600, 60, 30, 120)
    assert (row["sessions"], row["no_shows"], row["mean_rating"]) == (3, 1, 4.0)
    assert by_enterprise["total"]["used_minutes"] == 30

    by_lawyer = (
        await client.get(url, params=params | {"group_by": "lawyer"}, headers=admin)
    ).json()
    minutes = {
        r["group"]: (r["held_minutes"], r["used_minutes"], r["forfeited_minutes"])
        for r in by_lawyer["rows"]
    }
    assert minutes == {world.lawyers[0]["id"]: (60, 30, 0), world.lawyers[1]["id"]: (0, 0, 120)}

    spreadsheet = await client.get(
        url, params=params | {"group_by": "service", "format": "csv"}, headers=admin
    )
    assert spreadsheet.status_code == 200
    assert spreadsheet.headers["content-type"] == "text/csv; charset=utf-8"
    table = list(csv.reader(io.StringIO(spreadsheet.text.removeprefix("\ufeff"))))
    assert [line[0] for line in table] == ["service", "consultation", "health_check", "total"]


async def test_only_the_bar_association_and_only_known_groupings(client, admin):
    world = await stage(client, admin, lawyer_count=1)
    params = {"program_id": world.program["id"]}
    assert_problem(
        await client.get("/api/v1/reports/usage", params=params, headers=world.owner), 403
    )
    assert_problem(
        await client.get(
            "/api/v1/reports/usage", params=params | {"group_by": "colour"}, headers=admin
        ),
        422,
        "colour",
    )
    unknown = "00000000-0000-4000-8000-000000000000"
    assert_problem(
        await client.get("/api/v1/reports/usage", params={"program_id": unknown}, headers=admin),
        404,
    )
