"""Plain-language notices about a booking, in Chinese and English, times in the reader's zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

SERVICE_NAMES = {
    "consultation": ("法律咨询", "consultation"),
    "health_check": ("企业法律体检", "legal health check"),
    "seminar": ("专题讲座", "seminar"),
    "case_sharing": ("案例分享", "case sharing"),
}

EVENTS = {
    "booking.confirmed": ("已预约", "booked"),
    "booking.rescheduled": ("已改期", "rescheduled"),
    "booking.cancelled": ("已取消", "cancelled"),
    "booking.declined": ("律师无法出席，已取消", "declined by the lawyer"),
    "waitlist.offered": (
        "候补时段已为您保留，请尽快确认",
        "held for you from the waitlist: please accept it",
    ),
}


@dataclass(frozen=True)
class SessionFacts:
    service: str
    practice_area: str
    start: datetime
    end: datetime


def booking_notice(kind: str, facts: SessionFacts, sender: str, zone: str) -> dict[str, str]:
    """Subject and text of a notice; no topic or notes (they may be confidential)."""
    chinese_event, english_event = EVENTS[kind]
    chinese_service, english_service = SERVICE_NAMES[facts.service]
    local_start = facts.start.astimezone(ZoneInfo(zone))
    local_end = facts.end.astimezone(ZoneInfo(zone))
    when = f"{local_start:%Y-%m-%d %H:%M}–{local_end:%H:%M} ({zone})"
    return {
        "sender": sender,
        "subject": f"{chinese_service}{chinese_event} / {english_service} {english_event}: {when}",
        "text": (
            f"{chinese_service}（{facts.practice_area}）{chinese_event}：{when}\n\n"
            f"The {english_service} ({facts.practice_area}) on {when} is {english_event}.\n"
        ),
    }
