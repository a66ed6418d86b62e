"""A programme, an enrolled enterprise and lawyers with published hours, ready to book."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from models.tables import Booking
from tests.api.helpers import (
    create_enterprise_user,
    create_lawyer,
    create_lawyer_user,
    enrolled_enterprise,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEKDAYS_9_TO_17 = {"rrule": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "start": "09:00", "end": "17:00"}


def next_monday(weeks_ahead: int = 0) -> datetime:
    """Local midnight of a Monday at least three days ahead (past the 24 h notice)."""
    day = datetime.now(SHANGHAI).date() + timedelta(days=3)
    day += timedelta(days=(7 - day.weekday()) % 7 + 7 * weeks_ahead)
    return datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)


@dataclass
class Stage:
    program: dict
    enterprise: dict
    owner: dict  # the enterprise user's headers
    lawyers: list[dict]
    lawyer_logins: list[dict]
    monday: datetime

    def at(self, hour: float, day: int = 0) -> str:
        return (self.monday + timedelta(days=day, hours=hour)).isoformat()

    def booking(self, hour: float = 9, lawyer: int | None = 0, **fields) -> dict:
        body = {
            "program_id": self.program["id"],
            "enterprise_id": self.enterprise["id"],
            "service": "consultation",
            "practice_area": "trademark",
            "start": self.at(hour),
            "topic": "商标被抢注",
        } | fields
        if lawyer is not None:
            body["lawyer_id"] = self.lawyers[lawyer]["id"]
        return body


async def stage(client, admin, lawyer_count: int = 2, **program_fields) -> Stage:
    program, enterprise = await enrolled_enterprise(client, admin, **program_fields)
    owner = await create_enterprise_user(client, admin, enterprise["id"])
    lawyers, logins = [], []
    for number in range(lawyer_count):
        lawyer = await create_lawyer(
            client, admin, email=f"lawyer{number}@law.test", license_no=f"L{number}"
        )
        response = await client.put(
            f"/api/v1/lawyers/{lawyer['id']}/availability",
            json={"rules": [WEEKDAYS_9_TO_17]},
            headers=admin,
        )
        assert response.status_code == 200, response.text
        lawyers.append(lawyer)
        logins.append(
            await create_lawyer_user(client, admin, lawyer["id"], email=f"login{number}@law.test")
        )
    return Stage(program, enterprise, owner, lawyers, logins, next_monday())


async def session_has_started(booking_id: str, hours_ago: int = 2) -> None:
    """Time passes: move the session into the past (sessions of one lawyer: different hours)."""
    start = datetime.now(UTC) - timedelta(hours=hours_ago)
    await Booking.update(
        {
            Booking.starts_at: start,
            Booking.ends_at: start + timedelta(hours=1),
            Booking.blocked_until: start + timedelta(hours=1),
        }
    ).where(Booking.id == booking_id)
