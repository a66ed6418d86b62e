"""Instants are ISO 8601 text with an offset: not naive, not a number, not a guess."""

from tests.api.booking_setup import stage
from tests.api.helpers import assert_problem


async def test_a_number_or_a_naive_time_is_refused_in_bodies_and_queries(client, admin):
    world = await stage(client, admin, lawyer_count=1)
    for start, words in (
        (1893456000, ["ISO 8601", "offset"]),
        ("2027-03-01T09:00:00", ["offset"]),
        ("next monday", ["not an ISO 8601"]),
    ):
        response = await client.post(
            "/api/v1/bookings", json=world.booking(9, start=start), headers=world.owner
        )
        assert_problem(response, 422, *words)
    for value in ("1.1", "1893456000", "2027-03-01T09:00:00"):
        listed = await client.get("/api/v1/bookings", params={"from": value}, headers=admin)
        assert_problem(listed, 422)
    booked = await client.post("/api/v1/bookings", json=world.booking(9), headers=world.owner)
    assert booked.status_code == 201, booked.text
    assert booked.json()["start"] == world.at(9)  # an accepted instant keeps its meaning


async def test_the_schema_says_instants_are_date_time_strings(client):
    document = (await client.get("/schema/openapi.json")).json()
    start = document["components"]["schemas"]["BookingCreate"]["properties"]["start"]
    assert (start["type"], start["format"]) == ("string", "date-time")
    parameters = document["paths"]["/api/v1/slots"]["get"]["parameters"]
    window_start = next(p for p in parameters if p["name"] == "from")["schema"]
    assert (window_start["type"], window_start["format"]) == ("string", "date-time")
