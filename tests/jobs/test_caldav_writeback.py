"""Sessions written back into a lawyer's CalDAV calendar (a real Radicale) and taken out again."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from uuid import UUID

import httpx
import icalendar
import pytest
from arq import Retry

from jobs.caldav import fetch_caldav, reapply_overtaking
from jobs.relay import relay_feeds, relay_outbox
from jobs.tasks import deliver_outbox_message
from models.tables import BusySource, OutboxMessage
from service.usecases.bootstrap import ensure_admin
from service.usecases.busy_calendars import get_source
from service.usecases.invites import caldav_rows
from tests.api.booking_setup import Stage, stage
from tests.api.helpers import ADMIN, free_port, login, serving
from tests.api.test_caldav import event, link_caldav

# the module-scoped Radicale fixture: imported by name so that pytest finds it here
from tests.api.test_caldav import radicale as radicale

HOUR = timedelta(hours=1)
CALENDAR_DATA = """<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><C:calendar-data/></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"/></C:filter>
</C:calendar-query>
"""


@dataclass
class Calendar:
    url: str
    user: str
    password: str
    source_id: str

    def stored(self) -> dict[str, str]:
        """Every resource in the calendar: its name and its text."""
        answer = httpx.request(
            "REPORT",
            self.url,
            content=CALENDAR_DATA.encode(),
            headers={"Depth": "1", "Content-Type": "application/xml; charset=utf-8"},
            auth=(self.user, self.password),
        )
        assert answer.status_code == 207, answer.text
        found = {}
        for response in ElementTree.fromstring(answer.content).iter("{DAV:}response"):
            href = response.findtext("{DAV:}href")
            data = response.findtext(".//{urn:ietf:params:xml:ns:caldav}calendar-data")
            if data:
                found[href.rsplit("/", 1)[-1]] = data
        return found

    def session(self, booking_id: str, alone: bool = True) -> icalendar.Event:
        """The booking's event, stored under the booking's name (and `alone` in the calendar)."""
        stored = self.stored()
        if alone:
            assert list(stored) == [f"{booking_id}.ics"]
        text = stored[f"{booking_id}.ics"]
        assert "METHOD" not in text  # RFC 4791 4.1: no METHOD in a stored resource
        events = icalendar.Calendar.from_ical(text).walk("VEVENT")
        assert len(events) == 1 and str(events[0]["UID"]) == f"{booking_id}@probono-hours"
        return events[0]


@dataclass
class Setting:
    client: httpx.AsyncClient
    admin: dict
    st: Stage
    ctx: dict
    calendar: Calendar
    radicale: object

    async def book(self, hour: float = 9, lawyer: int = 0) -> dict:
        response = await self.client.post(
            "/api/v1/bookings", json=self.st.booking(hour, lawyer), headers=self.st.owner
        )
        assert response.status_code == 201, response.text
        return response.json()

    async def change(self, booking: dict, action: str, body: dict) -> dict:
        url = f"/api/v1/bookings/{booking['id']}/{action}"
        response = await self.client.post(url, json=body, headers=self.admin)
        assert response.status_code == 200, response.text
        return response.json()

    async def deliver(self) -> list[dict]:
        """Run the relay as the API process would; every CalDAV write must have gone through."""
        await relay_outbox(self.ctx, None)
        rows = (
            await OutboxMessage.select()
            .where(OutboxMessage.kind.like("caldav.%"))
            .output(load_json=True)
        )
        assert all(row["delivered_at"] for row in rows), rows
        return rows

    async def connect(self, lawyer: int, user: str, password: str) -> Calendar:
        self.radicale.set_password(user, password)
        url = self.radicale.new_calendar(user, password)
        lawyer_id = self.st.lawyers[lawyer]["id"]
        linked = await link_caldav(self.client, self.admin, lawyer_id, url, user, password)
        assert linked.status_code == 201, linked.text
        return Calendar(url, user, password, linked.json()["id"])


@pytest.fixture
async def setting(settings, radicale) -> Setting:
    quiet = replace(settings, outbox_relay_seconds=0)
    async with serving(quiet) as client:
        await ensure_admin(*ADMIN)
        admin = await login(client, *ADMIN)
        st = await stage(client, admin, lawyer_count=2)
        setting = Setting(client, admin, st, {"settings": quiet}, None, radicale)
        setting.calendar = await setting.connect(0, "lawyer0", "caldav-pw-0")
        yield setting


def local(moment) -> datetime:
    return moment.dt.astimezone(UTC)


async def rows_of(booking: dict) -> list[dict]:
    return await caldav_rows(UUID(booking["id"]))


async def test_a_session_is_written_moved_and_taken_out_again(setting):
    st, calendar = setting.st, setting.calendar
    booking = await setting.book(9)
    await setting.deliver()
    written = calendar.session(booking["id"])
    assert local(written["DTSTART"]) == (st.monday + 9 * HOUR).astimezone(UTC)
    assert local(written["DTEND"]) == (st.monday + 10 * HOUR).astimezone(UTC)
    assert int(written["SEQUENCE"]) == 0 and str(written["STATUS"]) == "CONFIRMED"
    assert "ATTENDEE" not in written  # a stored copy, not an invitation to answer

    moved = await setting.change(booking, "reschedule", {"start": st.at(13)})
    await setting.deliver()
    rewritten = calendar.session(booking["id"])  # the same name, overwritten
    assert local(rewritten["DTSTART"]) == (st.monday + 13 * HOUR).astimezone(UTC)
    assert int(rewritten["SEQUENCE"]) == moved["sequence"] == 1

    await setting.change(booking, "cancel", {"reason": "resolved"})
    rows = await setting.deliver()
    assert calendar.stored() == {}
    assert [(row["kind"], row["payload"]["sequence"]) for row in await rows_of(booking)] == [
        ("caldav.put", 0),
        ("caldav.put", 1),
        ("caldav.delete", 2),
    ]
    assert {row["recipient"] for row in rows} == {"lawyer0@law.test"}
    assert all(row["attempts"] == 1 for row in rows)
    # the e-mails went out as before, beside the CalDAV writes
    messages = await setting.client.get(
        f"/api/v1/bookings/{booking['id']}/messages", headers=setting.admin
    )
    kinds = [message["kind"] for message in messages.json()]
    assert kinds.count("booking.confirmed") == 2 and kinds.count("caldav.put") == 2


async def test_the_written_session_is_not_busy_time_of_its_own(setting):
    """After write-back the busy refresh reads our session back from the calendar; it must
    not block the session (nor moving it half an hour), while the lawyer's own events do."""
    st, calendar = setting.st, setting.calendar
    booking = await setting.book(9)
    await setting.deliver()
    hearing = event("开庭", st.monday + 15 * HOUR, st.monday + 16 * HOUR)
    setting.radicale.put_event(calendar.url, calendar.user, calendar.password, hearing)

    # the calendar holds both; the import counts only the hearing
    window = (st.monday, st.monday + 24 * HOUR)
    read = await fetch_caldav(calendar.url, calendar.user, calendar.password, *window)
    assert len(icalendar.Calendar.from_ical(read).walk("VEVENT")) == 2
    assert await relay_feeds(setting.ctx, None) == 1
    source = await get_source(UUID(calendar.source_id))
    assert (source.busy_blocks, source.last_error) == (1, None)  # the hearing alone

    # overlapping its own old time: only the session itself stands there
    await setting.change(booking, "reschedule", {"start": st.at(9.5)})
    await setting.deliver()
    assert local(calendar.session(booking["id"], alone=False)["DTSTART"]) == (
        st.monday + 9.5 * HOUR
    ).astimezone(UTC)
    refused = await setting.client.post(
        f"/api/v1/bookings/{booking['id']}/reschedule",
        json={"start": st.at(15)},
        headers=setting.admin,
    )
    assert refused.status_code == 422, refused.text  # the hearing is busy time


async def test_a_late_put_does_not_bring_a_cancelled_session_back(setting):
    """The cancel's DELETE goes first and the older PUT comes late (a retry after a
    back-off): the PUT is superseded and the calendar stays empty."""
    calendar = setting.calendar
    booking = await setting.book(9)
    await setting.change(booking, "cancel", {"reason": "resolved"})
    put, delete = await rows_of(booking)
    assert (put["kind"], delete["kind"]) == ("caldav.put", "caldav.delete")
    assert "ics" not in delete["payload"]
    assert await deliver_outbox_message(setting.ctx, str(delete["id"])) == "absent"
    outcome = await deliver_outbox_message(setting.ctx, str(put["id"]))
    assert outcome.startswith("superseded")
    assert calendar.stored() == {}

    # had the PUT been on its way while the DELETE went through, the DELETE is made due again
    put, delete = await rows_of(booking)
    assert await reapply_overtaking(put, datetime.now(UTC))
    assert await deliver_outbox_message(setting.ctx, str(delete["id"])) == "absent"
    assert [row["delivered_at"] is not None for row in await rows_of(booking)] == [True, True]


@pytest.mark.parametrize("lawyer_count", [2])
async def test_moving_to_another_lawyer_moves_the_event_and_a_decline_removes_it(
    setting, lawyer_count
):
    st, first = setting.st, setting.calendar
    second = await setting.connect(1, "lawyer1", "caldav-pw-1")
    booking = await setting.book(9)
    await setting.deliver()
    first.session(booking["id"])

    await setting.change(
        booking, "reschedule", {"start": st.at(10), "lawyer_id": st.lawyers[1]["id"]}
    )
    rows = await setting.deliver()
    assert first.stored() == {}
    assert local(second.session(booking["id"])["DTSTART"]) == (st.monday + 10 * HOUR).astimezone(
        UTC
    )
    delete = next(row for row in rows if row["kind"] == "caldav.delete")
    assert (delete["recipient"], delete["payload"]["source_id"]) == (
        "lawyer0@law.test",
        first.source_id,
    )

    await setting.change(booking, "decline", {"reason": "conflict of interest"})
    await setting.deliver()
    assert first.stored() == {} and second.stored() == {}


async def test_refusals_are_recorded_and_retried(setting):
    calendar, ctx = setting.calendar, setting.ctx
    booking = await setting.book(9)
    await relay_outbox(ctx, None)  # the confirmation e-mails and the PUT
    await setting.change(booking, "reschedule", {"start": setting.st.at(11)})

    # the lawyer changed the password: a refusal the lawyer must fix; retried after back-off
    setting.radicale.set_password(calendar.user, "changed")
    (row,) = [r for r in await rows_of(booking) if r["delivered_at"] is None]
    outcome = await deliver_outbox_message(ctx | {"job_try": 1}, str(row["id"]))
    assert outcome.startswith("failed, next attempt at")  # no Retry: nothing to wait for
    failed = await OutboxMessage.select().where(OutboxMessage.id == row["id"]).first()
    assert failed["attempts"] == 1 and failed["delivered_at"] is None
    assert "user name or password" in failed["last_error"]
    assert failed["next_attempt_at"] > datetime.now(UTC)

    # the server is unreachable: transient, and an arq job waits out the back-off
    unreachable = f"http://127.0.0.1:{free_port()}/lawyer0/calendar/"
    await BusySource.update({BusySource.url: unreachable}).where(
        BusySource.id == calendar.source_id
    )
    await OutboxMessage.update({OutboxMessage.next_attempt_at: datetime.now(UTC)}).where(
        OutboxMessage.id == row["id"]
    )
    with pytest.raises(Retry):
        await deliver_outbox_message(ctx | {"job_try": 1}, str(row["id"]))
    failed = await OutboxMessage.select().where(OutboxMessage.id == row["id"]).first()
    assert failed["attempts"] == 2 and "could not reach" in failed["last_error"]

    # both put right: the next attempt writes the moved session
    setting.radicale.set_password(calendar.user, calendar.password)
    await BusySource.update({BusySource.url: calendar.url}).where(
        BusySource.id == calendar.source_id
    )
    await OutboxMessage.update({OutboxMessage.next_attempt_at: datetime.now(UTC)}).where(
        OutboxMessage.id == row["id"]
    )
    await setting.deliver()
    written = calendar.session(booking["id"])
    assert int(written["SEQUENCE"]) == 1
    assert local(written["DTSTART"]) == (setting.st.monday + 11 * HOUR).astimezone(UTC)


async def test_an_invitation_already_in_the_calendar_is_kept(setting):
    """The lawyer's calendar application stored the e-mailed invitation under its own name:
    a calendar holds one event per UID, so that copy stays and the PUT is done."""
    calendar = setting.calendar
    booking = await setting.book(9)
    start = setting.st.monday + 9 * HOUR
    accepted = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//mail client//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{booking['id']}@probono-hours\r\nDTSTAMP:20261101T000000Z\r\n"
        f"DTSTART:{start.astimezone(UTC):%Y%m%dT%H%M%SZ}\r\n"
        f"DTEND:{(start + HOUR).astimezone(UTC):%Y%m%dT%H%M%SZ}\r\n"
        "SUMMARY:accepted invitation\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    setting.radicale.put_event(calendar.url, calendar.user, calendar.password, accepted)
    (put,) = await rows_of(booking)
    assert await deliver_outbox_message(setting.ctx, str(put["id"])) == "kept"
    (name,) = calendar.stored()
    assert name != f"{booking['id']}.ics"
