"""Reminders 24 hours and 1 hour before each confirmed session, to both parties, once."""

from __future__ import annotations

from datetime import datetime, timedelta

from models import outbox
from models.tables import Booking
from service.domain.booking_rules import CONFIRMED
from service.domain.notices import SessionFacts, booking_notice, preferred_language

REMINDERS = (("24h", timedelta(hours=24)), ("1h", timedelta(hours=1)))


async def queue_reminders(now: datetime) -> int:
    """Queue the reminders that are due; the outbox's de-duplication key makes a second pass
    (or a second worker) add nothing. A session booked inside a reminder's lead time gets no
    such reminder: the confirmation has just told them."""
    queued = 0
    for label, lead in REMINDERS:
        sessions = await Booking.select(
            Booking.id,
            Booking.service,
            Booking.practice_area,
            Booking.starts_at,
            Booking.ends_at,
            Booking.created_at,
            Booking.lawyer.email,
            Booking.lawyer.timezone,
            Booking.lawyer.languages,
            Booking.enterprise.contact_email,
            Booking.program.timezone,
            Booking.program.mailbox,
        ).where(
            (Booking.status == CONFIRMED)
            & (Booking.starts_at > now)
            & (Booking.starts_at <= now + lead)
        )
        for session in sessions:
            if session["created_at"] > session["starts_at"] - lead:
                continue
            facts = SessionFacts(
                session["service"],
                session["practice_area"],
                session["starts_at"],
                session["ends_at"],
            )
            readers = (
                (
                    session["lawyer.email"],
                    session["lawyer.timezone"],
                    preferred_language(session["lawyer.languages"]),
                ),
                (session["enterprise.contact_email"], session["program.timezone"], "zh"),
            )
            for email, zone, language in readers:
                notice = booking_notice(
                    "booking.reminder", facts, session["program.mailbox"], zone, language
                )
                key = f"reminder-{label}:{session['id']}:{session['starts_at']:%Y%m%dT%H%M}:{email}"
                await outbox.enqueue("booking.reminder", email, session["id"], notice, key)
                queued += 1
    return queued
