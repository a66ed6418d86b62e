"""CalDAV calendars as busy time, read from a real Radicale server with real authentication."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import httpx
import pytest

from jobs.caldav import fetch_caldav
from jobs.relay import relay_feeds
from models.tables import AuditEntry, BusySource
from service.domain.busy_import import CalendarImportError
from tests.api.helpers import (
    assert_problem,
    create_lawyer,
    enrolled_enterprise,
    free_port,
    serving,
)
from tests.api.test_slots import local_starts, next_monday, publish, search

STARTUP_SECONDS = 15
SHANGHAI_VTIMEZONE = (
    "BEGIN:VTIMEZONE\r\nTZID:Asia/Shanghai\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
    "TZOFFSETFROM:+0800\r\nTZOFFSETTO:+0800\r\nTZNAME:CST\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
)


class Radicale:
    """A Radicale process with htpasswd users; each test makes its own calendars."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.users_file = folder / "users"
        self.users: dict[str, str] = {}
        self.url = f"http://127.0.0.1:{free_port()}"
        self.process: subprocess.Popen | None = None

    def set_password(self, user: str, password: str) -> None:
        """Radicale reads the htpasswd file on every login, so a change applies at once."""
        self.users[user] = password
        self.users_file.write_text("".join(f"{u}:{p}\n" for u, p in self.users.items()))

    def start(self) -> None:
        self.set_password("nobody", "unused")  # Radicale wants the file to exist
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "radicale", "--config", ""),
                *("--server-hosts", self.url.removeprefix("http://")),
                *("--storage-filesystem-folder", str(self.folder / "collections")),
                *("--auth-type", "htpasswd"),
                *("--auth-htpasswd-filename", str(self.users_file)),
                *("--auth-htpasswd-encryption", "plain"),
                *("--auth-delay", "0"),  # the default second per wrong password slows tests
                *("--logging-level", "error"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self._wait_until_it_answers()

    def _wait_until_it_answers(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"Radicale exited: {self.process.stderr.read().decode()}")
            try:
                httpx.get(self.url, timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.05)
        pytest.fail(f"Radicale did not answer within {STARTUP_SECONDS} s")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)

    def new_calendar(self, user: str, password: str) -> str:
        url = f"{self.url}/{user}/{uuid4().hex}/"
        made = httpx.request("MKCALENDAR", url, auth=(user, password))
        assert made.status_code == 201, made.text
        return url

    def put_event(self, calendar_url: str, user: str, password: str, ics: str) -> None:
        put = httpx.put(
            f"{calendar_url}{uuid4().hex}.ics",
            content=ics.encode(),
            headers={"Content-Type": "text/calendar; charset=utf-8"},
            auth=(user, password),
        )
        assert put.status_code == 201, put.text


@pytest.fixture(scope="module")
def radicale(tmp_path_factory) -> Radicale:
    server = Radicale(tmp_path_factory.mktemp("radicale"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def quiet(settings):
    """No background relay: the test runs the feed relay itself."""
    return replace(settings, outbox_relay_seconds=0)


@pytest.fixture
async def client(quiet):
    async with serving(quiet) as client:
        yield client


def event(summary: str, start: datetime, end: datetime, *lines: str) -> str:
    extra = "".join(f"{line}\r\n" for line in lines)
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{uuid4()}\r\nDTSTAMP:20261101T000000Z\r\n"
        f"DTSTART:{start.astimezone(UTC):%Y%m%dT%H%M%SZ}\r\n"
        f"DTEND:{end.astimezone(UTC):%Y%m%dT%H%M%SZ}\r\n"
        f"SUMMARY:{summary}\r\n{extra}"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def weekly_event(summary: str, start: datetime, minutes: int, count: int, skip: datetime) -> str:
    """A Shanghai-time series with its VTIMEZONE, one occurrence cancelled by EXDATE."""
    local = "%Y%m%dT%H%M%S"
    return (
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{SHANGHAI_VTIMEZONE}"
        f"BEGIN:VEVENT\r\nUID:{uuid4()}\r\nDTSTAMP:20261101T000000Z\r\n"
        f"DTSTART;TZID=Asia/Shanghai:{start:{local}}\r\n"
        f"DTEND;TZID=Asia/Shanghai:{start + timedelta(minutes=minutes):{local}}\r\n"
        f"RRULE:FREQ=WEEKLY;COUNT={count}\r\nEXDATE;TZID=Asia/Shanghai:{skip:{local}}\r\n"
        f"SUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


async def link_caldav(client, admin, lawyer_id, calendar_url, user, password):
    return await client.post(
        f"/api/v1/lawyers/{lawyer_id}/busy-calendars",
        json={"caldav_url": calendar_url, "username": user, "password": password},
        headers=admin,
    )


async def refresh(client, admin, ctx, lawyer_id, source_id) -> dict:
    """Ask for a refresh, run the relay as the worker would, and read the source back."""
    url = f"/api/v1/lawyers/{lawyer_id}/busy-calendars/{source_id}/refresh"
    assert (await client.post(url, headers=admin)).status_code == 202
    assert await relay_feeds(ctx, None) == 1
    return (await client.post(url, headers=admin)).json()


async def test_caldav_events_are_busy_time_in_the_slot_search(client, admin, quiet, radicale):
    program, enterprise = await enrolled_enterprise(client, admin)
    lawyer = await create_lawyer(client, admin)
    await publish(client, admin, lawyer)  # weekdays 09:00-12:00 Shanghai
    radicale.set_password("wang", "wang-caldav-pw")
    calendar = radicale.new_calendar("wang", "wang-caldav-pw")
    monday = next_monday()
    hour = timedelta(hours=1)
    for ics in (
        event("开庭", monday + 10 * hour, monday + 11 * hour),
        event("午餐", monday + 11 * hour, monday + 12 * hour, "TRANSP:TRANSPARENT"),
        weekly_event(
            "周例会", monday + 9 * hour, 30, count=4, skip=monday + 7 * 24 * hour + 9 * hour
        ),
    ):
        radicale.put_event(calendar, "wang", "wang-caldav-pw", ics)

    linked = await link_caldav(client, admin, lawyer["id"], calendar, "wang", "wang-caldav-pw")
    assert linked.status_code == 201, linked.text
    assert linked.json()["kind"] == "caldav" and linked.json()["busy_blocks"] == 0
    assert await relay_feeds({"settings": quiet}, None) == 1

    source = await BusySource.select().where(BusySource.id == linked.json()["id"]).first()
    assert source["last_error"] is None and source["last_refreshed_at"] is not None
    slots = [
        local_starts((await search(client, admin, program, enterprise, day)).json())
        for day in (monday, monday + timedelta(days=7), monday + timedelta(days=14))
    ]
    # the court hearing and the 09:00 meeting block; lunch is marked free
    assert slots[0] == ["11:00"]
    # the series' second week is cancelled by EXDATE
    assert slots[1] == ["09:00", "09:30", "10:00", "10:30", "11:00"]
    assert slots[2] == ["09:30", "10:00", "10:30", "11:00"]
    refreshed = await refresh(client, admin, {"settings": quiet}, lawyer["id"], source["id"])
    assert refreshed["busy_blocks"] == 1 + 3  # the hearing, and the series less one EXDATE


async def test_a_refused_password_is_recorded_and_the_old_blocks_stay(
    client, admin, quiet, radicale
):
    ctx = {"settings": quiet}
    lawyer = await create_lawyer(client, admin)
    radicale.set_password("li", "first-password")
    calendar = radicale.new_calendar("li", "first-password")
    start = next_monday() + timedelta(hours=10)
    radicale.put_event(
        calendar, "li", "first-password", event("仲裁", start, start + timedelta(hours=1))
    )
    source = (
        await link_caldav(client, admin, lawyer["id"], calendar, "li", "first-password")
    ).json()
    assert await relay_feeds(ctx, None) == 1

    radicale.set_password("li", "changed-password")
    refused = await refresh(client, admin, ctx, lawyer["id"], source["id"])
    assert "user name or password" in refused["last_error"]
    assert refused["busy_blocks"] == 1

    other_key = {"settings": replace(quiet, secret_key="another-secret-key-of-at-least-32-chars")}
    unreadable = await refresh(client, admin, other_key, lawyer["id"], source["id"])
    assert "connect the calendar again" in unreadable["last_error"]
    assert unreadable["busy_blocks"] == 1


async def test_the_password_is_stored_sealed_and_never_shown(client, admin):
    lawyer = await create_lawyer(client, admin)
    password = "秘密-hunter2-password"
    calendar = "https://dav.example/zhao/work/"
    linked = await link_caldav(client, admin, lawyer["id"], calendar, "zhao", password)
    assert linked.status_code == 201, linked.text
    assert password not in linked.text and "hunter2" not in linked.text
    assert linked.json()["url"] == calendar

    stored = await BusySource.select().where(BusySource.id == linked.json()["id"]).first()
    assert stored["username"] == "zhao"
    assert stored["secret"] and "hunter2" not in stored["secret"]
    audit = await AuditEntry.select().where(AuditEntry.entity_id == lawyer["id"])
    assert audit and all("hunter2" not in str(entry) for entry in audit)


async def test_a_link_must_be_a_feed_or_a_complete_caldav_calendar(client, admin):
    lawyer = await create_lawyer(client, admin)
    url = f"/api/v1/lawyers/{lawyer['id']}/busy-calendars"
    complete = {"caldav_url": "https://dav.example/cal/", "username": "u", "password": "p"}

    async def posted(body):
        return await client.post(url, json=body, headers=admin)

    assert_problem(await posted({"calendar": "x"}), 422, "caldav_url", "url")
    assert_problem(await posted(["not", "an", "object"]), 422, "JSON object")
    no_password = await posted(complete | {"password": ""})
    assert_problem(no_password, 422, "password")
    assert_problem(await posted(complete | {"caldav_url": "ftp://x"}), 422, "caldav_url")
    assert_problem(await posted(complete | {"colour": "red"}), 422, "colour")
    missing_lawyer = f"/api/v1/lawyers/{uuid4()}/busy-calendars"
    assert (await client.post(missing_lawyer, json=complete, headers=admin)).status_code == 404


async def test_the_schema_documents_both_json_shapes(client):
    schema = (await client.get("/schema/openapi.json")).json()
    body = schema["paths"]["/api/v1/lawyers/{lawyer_id}/busy-calendars"]["post"]["requestBody"]
    shapes = body["content"]["application/json"]["schema"]["oneOf"]
    assert [sorted(shape["required"]) for shape in shapes] == [
        ["url"],
        ["caldav_url", "password", "username"],
    ]


async def test_fetch_caldav_says_what_went_wrong(radicale):
    radicale.set_password("chen", "chen-password")
    calendar = radicale.new_calendar("chen", "chen-password")
    window = (datetime.now(UTC), datetime.now(UTC) + timedelta(days=30))
    with pytest.raises(CalendarImportError, match="refused the user name or password"):
        await fetch_caldav(calendar, "chen", "wrong", *window)
    with pytest.raises(CalendarImportError, match="no calendar at"):
        await fetch_caldav(f"{radicale.url}/chen/missing/", "chen", "chen-password", *window)
    with pytest.raises(CalendarImportError, match="could not reach"):
        await fetch_caldav(f"http://127.0.0.1:{free_port()}/", "chen", "chen-password", *window)
    empty = await fetch_caldav(calendar, "chen", "chen-password", *window)
    assert b"BEGIN:VCALENDAR" in empty and b"VEVENT" not in empty
