"""Plain-language notices about a session, in the reader's language and time zone.

Chinese by default, English when the reader's profile asks for it. No topic or notes: an
e-mail may be read by others, and the matter is confidential.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape
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
    "booking.reminder": ("即将开始", "coming up"),
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


def _when(facts: SessionFacts, zone: str) -> str:
    local_start = facts.start.astimezone(ZoneInfo(zone))
    local_end = facts.end.astimezone(ZoneInfo(zone))
    return f"{local_start:%Y-%m-%d %H:%M}–{local_end:%H:%M} ({zone})"


def booking_notice(
    kind: str,
    facts: SessionFacts,
    sender: str,
    zone: str,
    language: str = "zh",
    extra_lines: tuple[str, ...] = (),
) -> dict[str, str]:
    """sender, subject, text and html of a notice, times in `zone`."""
    chinese_event, english_event = EVENTS[kind]
    chinese_service, english_service = SERVICE_NAMES[facts.service]
    when = _when(facts, zone)
    if language == "en":
        subject = f"Pro-bono {english_service} {english_event}: {when}"
        lines = [
            f"The {english_service} ({facts.practice_area}) on {when} is {english_event}.",
            *extra_lines,
            f"{chinese_service}（{facts.practice_area}）{chinese_event}：{when}",
        ]
    else:
        subject = f"公益{chinese_service}{chinese_event}：{when}"
        lines = [
            f"{chinese_service}（{facts.practice_area}）{chinese_event}：{when}",
            *extra_lines,
            f"The {english_service} ({facts.practice_area}) on {when} is {english_event}.",
        ]
    return {
        "sender": sender,
        "subject": subject,
        "text": "\n\n".join(lines) + "\n",
        "html": "".join(f"<p>{escape(line)}</p>" for line in lines),
    }


def preferred_language(languages: list[str] | tuple[str, ...]) -> str:
    """English when the profile puts English first; Simplified Chinese otherwise."""
    return "en" if languages and languages[0].startswith("en") else "zh"
