"""Reminders 24 h and 1 h ahead: queued once per session and reader, never twice."""

from datetime import UTC, datetime, timedelta

from models.tables import Booking, OutboxMessage
from service.usecases.reminders import queue_reminders
from tests.api.booking_setup import stage


async def test_reminders_are_queued_once_for_each_party(client, admin):
    st = await stage(client, admin, lawyer_count=1)
    booking = (await client.post("/api/v1/bookings", json=st.booking(), headers=st.owner)).json()
    start = datetime.fromisoformat(booking["start"])
    # nothing is due three days ahead
    assert await queue_reminders(start - timedelta(days=3)) == 0
    # a day ahead: the 24 h reminder for the lawyer and the enterprise
    await queue_reminders(start - timedelta(hours=23))
    await queue_reminders(start - timedelta(hours=22))  # a second pass adds nothing
    reminders = await OutboxMessage.select(OutboxMessage.recipient).where(
        OutboxMessage.kind == "booking.reminder"
    )
    assert sorted(r["recipient"] for r in reminders) == ["lawyer0@law.test", "li@spark.test"]
    await queue_reminders(start - timedelta(minutes=30))
    assert await OutboxMessage.count().where(OutboxMessage.kind == "booking.reminder") == 4


async def test_a_session_booked_inside_the_lead_time_gets_no_early_reminder(client, admin):
    st = await stage(client, admin, lawyer_count=1)
    booking = (await client.post("/api/v1/bookings", json=st.booking(), headers=st.owner)).json()
    start = datetime.fromisoformat(booking["start"])
    await Booking.update({Booking.created_at: start - timedelta(hours=5)}).where(
        Booking.id == booking["id"]
    )
    await queue_reminders(start - timedelta(hours=4))
    assert await OutboxMessage.count().where(OutboxMessage.kind == "booking.reminder") == 0
    await queue_reminders(start - timedelta(minutes=50))
    assert await OutboxMessage.count().where(OutboxMessage.kind == "booking.reminder") == 2
    assert datetime.now(UTC) < start
