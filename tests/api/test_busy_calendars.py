"""Busy calendars through the API: uploads, feeds fetched from a real local HTTP server."""

import threading
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from jobs.relay import relay_feeds
from service.usecases.bootstrap import ensure_admin
from tests.api.helpers import ADMIN, assert_problem, create_lawyer, login, serving

ICS = Path(__file__).parent.parent / "domain" / "ics"
ONE_EVENT = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//EN\r
BEGIN:VEVENT\r
UID:one@test\r
DTSTAMP:20261101T000000Z\r
DTSTART;TZID=Asia/Shanghai:20270301T100000\r
DTEND;TZID=Asia/Shanghai:20270301T110000\r
SUMMARY:\xe5\xbc\x80\xe5\xba\xad\r
END:VEVENT\r
END:VCALENDAR\r
"""

TWO_EVENTS = ONE_EVENT.replace(
    b"END:VCALENDAR",
    b"BEGIN:VEVENT\r\nUID:two@test\r\nDTSTAMP:20261101T000000Z\r\n"
    b"DTSTART:20270302T010000Z\r\nDTEND:20270302T020000Z\r\nEND:VEVENT\r\nEND:VCALENDAR",
)


class FeedServer(ThreadingHTTPServer):
    body = ONE_EVENT
    status = 200


class FeedHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(self.server.status)
        self.send_header("Content-Type", "text/calendar")
        self.end_headers()
        self.wfile.write(self.server.body)

    def log_message(self, *args):
        pass


@pytest.fixture
def feed_server():
    server = FeedServer(("127.0.0.1", 0), FeedHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, f"http://127.0.0.1:{server.server_address[1]}/lawyer.ics"
    server.shutdown()


def upload(client, admin, lawyer_id, body: bytes):
    return client.post(
        f"/api/v1/lawyers/{lawyer_id}/busy-calendars",
        content=body,
        headers=admin | {"content-type": "text/calendar"},
    )


async def test_upload_expands_events_and_replaces_the_previous_upload(client, admin):
    lawyer = await create_lawyer(client, admin)
    first = await upload(client, admin, lawyer["id"], (ICS / "google_export.ics").read_bytes())
    assert first.status_code == 201, first.text
    second = await upload(client, admin, lawyer["id"], ONE_EVENT)
    assert second.json()["id"] == first.json()["id"]
    assert second.json()["busy_blocks"] == 1
    assert second.json()["kind"] == "upload"


async def test_bad_uploads_are_422_and_keep_the_old_blocks(client, admin):
    lawyer = await create_lawyer(client, admin)
    await upload(client, admin, lawyer["id"], ONE_EVENT)
    assert_problem(await upload(client, admin, lawyer["id"], b"not a calendar"), 422)
    oversized = ONE_EVENT.replace(
        b"END:VCALENDAR", b"X-PAD:" + b"x" * (2 * 2**20) + b"\r\nEND:VCALENDAR"
    )
    assert_problem(await upload(client, admin, lawyer["id"], oversized), 422, "2 MB")
    again = await upload(client, admin, lawyer["id"], ONE_EVENT)
    assert again.json()["busy_blocks"] == 1


async def test_feed_is_fetched_by_the_job_and_a_failed_refresh_loses_nothing(settings, feed_server):
    server, url = feed_server
    quiet = replace(settings, outbox_relay_seconds=0)
    ctx = {"settings": quiet}
    async with serving(quiet) as client:
        await ensure_admin(*ADMIN)
        admin = await login(client, *ADMIN)
        lawyer = await create_lawyer(client, admin)
        linked = await client.post(
            f"/api/v1/lawyers/{lawyer['id']}/busy-calendars", json={"url": url}, headers=admin
        )
        assert linked.status_code == 201
        assert linked.json()["busy_blocks"] == 0
        assert await relay_feeds(ctx, None) == 1
        assert await relay_feeds(ctx, None) == 0  # next refresh is an hour away
        refresh_url = f"/api/v1/lawyers/{lawyer['id']}/busy-calendars/{linked.json()['id']}/refresh"

        server.status = 404
        assert (await client.post(refresh_url, headers=admin)).status_code == 202
        await relay_feeds(ctx, None)
        failed = (await client.post(refresh_url, headers=admin)).json()
        assert failed["busy_blocks"] == 1
        assert "404" in failed["last_error"]

        server.status, server.body = 200, TWO_EVENTS
        await relay_feeds(ctx, None)
        refreshed = (await client.post(refresh_url, headers=admin)).json()
        assert refreshed["last_error"] is None and refreshed["busy_blocks"] == 2


async def test_feed_link_must_be_a_url(client, admin):
    lawyer = await create_lawyer(client, admin)
    response = await client.post(
        f"/api/v1/lawyers/{lawyer['id']}/busy-calendars", json={"url": "ftp://x"}, headers=admin
    )
    assert_problem(response, 422, "url")
