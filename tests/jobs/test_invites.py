"""Invites by e-mail (iMIP) to a real SMTP server: structure, methods, languages, life cycle."""

from dataclasses import replace

import icalendar
import pytest
import vobject

from jobs.relay import relay_outbox
from models.tables import OutboxMessage
from service.usecases.bootstrap import ensure_admin
from tests.api.booking_setup import stage
from tests.api.helpers import ADMIN, assert_problem, login, serving


@pytest.fixture
async def mail_setting(settings, smtp_server):
    inbox, url = smtp_server
    quiet = replace(settings, smtp_url=url, outbox_relay_seconds=0)
    async with serving(quiet) as client:
        await ensure_admin(*ADMIN)
        admin = await login(client, *ADMIN)
        st = await stage(client, admin, lawyer_count=2)
        # the second lawyer reads English and lives in London (09:00 there is 17:00 here)
        await client.patch(
            f"/api/v1/lawyers/{st.lawyers[1]['id']}",
            json={"languages": ["en", "zh"], "timezone": "Europe/London"},
            headers=admin,
        )
        yield client, admin, st, inbox, {"settings": quiet}


def calendar_part(message):
    parts = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    return parts[0]


def parse_both(raw: bytes):
    """Our objects must satisfy two independent parsers."""
    ours = icalendar.Calendar.from_ical(raw)
    theirs = vobject.readOne(raw.decode())
    event = next(iter(ours.walk("VEVENT")))
    assert str(theirs.vevent.uid.value) == str(event["UID"])
    return ours, event


async def deliver(ctx, inbox, count):
    before = len(inbox.messages)
    await relay_outbox(ctx, None)
    failures = await OutboxMessage.select(OutboxMessage.kind, OutboxMessage.last_error).where(
        OutboxMessage.delivered_at.is_null()
    )
    assert len(inbox.messages) - before == count, failures
    return inbox.received()[-count:]


async def test_confirmation_is_an_imip_request_in_each_readers_language(mail_setting):
    client, _, st, inbox, ctx = mail_setting
    await deliver(ctx, inbox, 1)  # the enrolment notice
    response = await client.post("/api/v1/bookings", json=st.booking(17, 1), headers=st.owner)
    booking = response.json()
    mails = {mail["To"]: mail for mail in await deliver(ctx, inbox, 2)}
    lawyer_mail, enterprise_mail = mails["lawyer1@law.test"], mails["li@spark.test"]

    assert lawyer_mail.get_content_type() == "multipart/mixed"
    alternative = lawyer_mail.get_payload()[0]
    assert [p.get_content_type() for p in alternative.get_payload()] == [
        "text/plain",
        "text/html",
        "text/calendar",
    ]
    part = calendar_part(lawyer_mail)
    assert (part.get_param("method"), part.get_param("charset")) == ("REQUEST", "UTF-8")
    attachment = lawyer_mail.get_payload()[1]
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_payload(decode=True) == part.get_payload(decode=True)

    calendar, event = parse_both(part.get_payload(decode=True))
    assert calendar["METHOD"] == "REQUEST"
    assert str(event["UID"]) == f"{booking['id']}@probono-hours"
    assert int(event["SEQUENCE"]) == 0
    assert "商标被抢注" not in part.get_payload(decode=True).decode()  # topic stays out
    attendees = sorted(str(a).lower() for a in event["ATTENDEE"])
    assert attendees == ["mailto:lawyer1@law.test", "mailto:li@spark.test"]
    assert calendar.walk("VTIMEZONE") and calendar.walk("VALARM")

    # English for the London lawyer with London times; Chinese for the enterprise
    assert lawyer_mail["Subject"].startswith("Pro-bono consultation booked")
    assert "Europe/London" in lawyer_mail.get_body(("plain",)).get_content()
    assert enterprise_mail["Subject"].startswith("公益法律咨询已预约")
    assert "Asia/Shanghai" in enterprise_mail.get_body(("plain",)).get_content()
    assert lawyer_mail["Message-ID"] != enterprise_mail["Message-ID"]


async def test_reschedule_then_cancel_keep_the_uid_and_raise_the_sequence(mail_setting):
    client, admin, st, inbox, ctx = mail_setting
    await deliver(ctx, inbox, 1)  # the enrolment notice
    booking = (await client.post("/api/v1/bookings", json=st.booking(), headers=st.owner)).json()
    await deliver(ctx, inbox, 2)
    url = f"/api/v1/bookings/{booking['id']}"
    await client.post(f"{url}/reschedule", json={"start": st.at(13)}, headers=st.owner)
    moved = await deliver(ctx, inbox, 2)
    await client.post(f"{url}/cancel", json={"reason": "resolved"}, headers=st.owner)
    cancelled = await deliver(ctx, inbox, 2)
    sequences = []
    for mails, method in ((moved, "REQUEST"), (cancelled, "CANCEL")):
        for mail in mails:
            part = calendar_part(mail)
            assert part.get_param("method") == method
            calendar, event = parse_both(part.get_payload(decode=True))
            assert calendar["METHOD"] == method
            assert str(event["UID"]) == f"{booking['id']}@probono-hours"
            sequences.append(int(event["SEQUENCE"]))
    assert sequences == [1, 1, 2, 2]
    assert str(event["STATUS"]) == "CANCELLED"

    download = await client.get(f"{url}/invite.ics", headers=st.owner)
    assert download.headers["content-type"].startswith("text/calendar")
    calendar, event = parse_both(download.content)
    assert (calendar["METHOD"], int(event["SEQUENCE"])) == ("CANCEL", 2)

    messages = (await client.get(f"{url}/messages", headers=admin)).json()
    assert len(messages) == 6 and all(m["delivered_at"] and m["attempts"] == 1 for m in messages)
    assert_problem(await client.get(f"{url}/messages", headers=st.owner), 403)


def reply_from(invite: bytes, attendee: str, partstat: str) -> bytes:
    calendar = icalendar.Calendar.from_ical(invite)
    event = next(iter(calendar.walk("VEVENT")))
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Microsoft Corporation//Outlook 16.0//EN\r\n"
        "METHOD:REPLY\r\nBEGIN:VEVENT\r\n"
        f"UID:{event['UID']}\r\nSEQUENCE:{event['SEQUENCE']}\r\nDTSTAMP:20270101T000000Z\r\n"
        f"ATTENDEE;PARTSTAT={partstat}:MAILTO:{attendee.upper()}\r\n"
        "COMMENT:Sorry\\, I am in court that day.\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


async def test_a_lawyers_decline_reply_declines_and_offers_other_times(mail_setting):
    client, admin, st, inbox, ctx = mail_setting
    await deliver(ctx, inbox, 1)  # the enrolment notice
    booking = (await client.post("/api/v1/bookings", json=st.booking(), headers=st.owner)).json()
    invite = calendar_part((await deliver(ctx, inbox, 2))[0]).get_payload(decode=True)

    accepted = await client.post(
        "/api/v1/itip",
        content=reply_from(invite, "li@spark.test", "ACCEPTED"),
        headers=admin | {"content-type": "text/calendar"},
    )
    assert accepted.json()[0]["outcome"] == "recorded"
    declined = await client.post(
        "/api/v1/itip",
        content=reply_from(invite, "lawyer0@law.test", "DECLINED"),
        headers=admin | {"content-type": "text/calendar"},
    )
    assert declined.json()[0]["outcome"] == "declined", declined.text
    now = (await client.get(f"/api/v1/bookings/{booking['id']}", headers=admin)).json()
    assert (now["status"], now["enterprise_partstat"], now["status_reason"]) == (
        "declined",
        "ACCEPTED",
        "Sorry, I am in court that day.",
    )
    hours = await client.get(f"/api/v1/enterprises/{st.enterprise['id']}/hours", headers=st.owner)
    assert hours.json()["held_minutes"] == 0
    notices = {mail["To"]: mail for mail in await deliver(ctx, inbox, 2)}
    told = notices["li@spark.test"].get_body(("plain",)).get_content()
    assert "Other times you can book" in told
    assert calendar_part(notices["li@spark.test"]).get_param("method") == "CANCEL"
    bad = await client.post(
        "/api/v1/itip",
        content=b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n",
        headers=admin | {"content-type": "text/calendar"},
    )
    assert_problem(bad, 422)
