"""Piccolo tables only: no HTTP, no business rules."""

from piccolo.columns import (
    JSON,
    UUID,
    Array,
    BigInt,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Program(Table):
    id = UUID(primary_key=True)
    name = Varchar(length=200)
    starts_on = Date()
    ends_on = Date()
    timezone = Varchar(length=64, default="Asia/Shanghai")
    minutes_per_enterprise = Integer(default=600)
    cancellation_notice_hours = Integer(default=24)
    min_notice_hours = Integer(default=24)
    horizon_days = Integer(default=60)
    eligible_districts = Array(base_column=Varchar(length=100), default=list)
    mailbox = Varchar(length=254)
    created_at = Timestamptz(default=TimestamptzNow())


class Enterprise(Table):
    id = UUID(primary_key=True)
    name = Varchar(length=200)
    credit_code = Varchar(length=18, unique=True)
    contact_name = Varchar(length=100)
    contact_email = Varchar(length=254)
    district = Varchar(length=100, null=True, default=None)
    industry = Varchar(length=100, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class AppUser(Table):
    id = UUID(primary_key=True)
    email = Varchar(length=254, unique=True)
    password_hash = Varchar(length=200)
    role = Varchar(length=20)
    enterprise = ForeignKey(references=Enterprise, null=True, default=None)
    lawyer_id = UUID(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class Enrolment(Table):
    """One enterprise's allocation in one programme; counters guarded by the database."""

    id = UUID(primary_key=True)
    program = ForeignKey(references=Program)
    enterprise = ForeignKey(references=Enterprise)
    granted_minutes = Integer(default=0)
    topped_up_minutes = Integer(default=0)
    held_minutes = Integer(default=0)
    used_minutes = Integer(default=0)
    forfeited_minutes = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())


class TopUpRequest(Table):
    """An enterprise asks for more minutes; the bar association approves (a ledger top_up) or
    rejects it."""

    id = UUID(primary_key=True)
    enrolment = ForeignKey(references=Enrolment, index=True)
    program = ForeignKey(references=Program)
    enterprise = ForeignKey(references=Enterprise, index=True)
    minutes = Integer()
    reason = Varchar(length=500)
    status = Varchar(length=10, default="pending")  # pending | approved | rejected
    requested_by = Varchar(length=254)
    decided_by = Varchar(length=254, null=True, default=None)
    decision_reason = Varchar(length=500, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    decided_at = Timestamptz(null=True, default=None)


class LedgerEntry(Table):
    """Append-only: triggers in the migrations refuse updates and deletes."""

    id = UUID(primary_key=True)
    enrolment = ForeignKey(references=Enrolment, index=True)
    kind = Varchar(length=10)
    minutes = Integer()
    booking_id = UUID(null=True, default=None)
    actor = Varchar(length=254)
    at = Timestamptz(default=TimestamptzNow())


class AuditEntry(Table):
    id = UUID(primary_key=True)
    actor = Varchar(length=254)
    action = Varchar(length=60)
    entity_type = Varchar(length=40)
    entity_id = UUID(index=True)
    before = JSON(null=True, default=None)
    after = JSON(null=True, default=None)
    at = Timestamptz(default=TimestamptzNow(), index=True)


class OutboxMessage(Table):
    """A notice to deliver, written in the same transaction as the change it reports."""

    id = UUID(primary_key=True)
    kind = Varchar(length=40)
    recipient = Varchar(length=254)
    subject_id = UUID(null=True, default=None, index=True)
    # set for notices that must go out once per occasion (reminders): unique when present
    dedup_key = Varchar(length=200, null=True, default=None)
    payload = JSON(default="{}")
    attempts = Integer(default=0)
    last_error = Text(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    next_attempt_at = Timestamptz(default=TimestamptzNow(), index=True)
    delivered_at = Timestamptz(null=True, default=None)


class Lawyer(Table):
    id = UUID(primary_key=True)
    name = Varchar(length=100)
    email = Varchar(length=254, unique=True)
    license_no = Varchar(length=40, unique=True)
    firm = Varchar(length=200)
    practice_areas = Array(base_column=Varchar(length=40), default=list)
    languages = Array(base_column=Varchar(length=10), default=list)
    timezone = Varchar(length=64, default="Asia/Shanghai")
    monthly_cap_minutes = Integer(default=600)
    buffer_minutes = Integer(default=0)
    active = Boolean(default=True)
    calendar_token = Varchar(length=64, unique=True)
    # Raised by database triggers on every change to the lawyer's rules, time off, busy blocks,
    # bookings or seminars: a cached calendar is good while its version still matches.
    calendar_version = BigInt(default=0)
    created_at = Timestamptz(default=TimestamptzNow())


class AvailabilityRule(Table):
    """A weekly-style RRULE with local wall-clock hours, in the lawyer's zone."""

    id = UUID(primary_key=True)
    lawyer = ForeignKey(references=Lawyer, index=True)
    rrule = Varchar(length=200)
    start_minute = Integer()  # minutes after local midnight
    end_minute = Integer()
    valid_from = Date()
    valid_until = Date(null=True, default=None)


class TimeOff(Table):
    id = UUID(primary_key=True)
    lawyer = ForeignKey(references=Lawyer, index=True)
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    reason = Varchar(length=200, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class BusySource(Table):
    """Where a lawyer's busy time comes from: an uploaded file, an ICS feed or CalDAV."""

    id = UUID(primary_key=True)
    lawyer = ForeignKey(references=Lawyer, index=True)
    kind = Varchar(length=10)
    url = Varchar(length=2000, null=True, default=None)
    username = Varchar(length=200, null=True, default=None)
    secret = Text(null=True, default=None, secret=True)  # encrypted with the service key
    last_refreshed_at = Timestamptz(null=True, default=None)
    next_refresh_at = Timestamptz(null=True, default=None, index=True)  # feeds only
    last_error = Text(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class BusyBlock(Table):
    id = UUID(primary_key=True)
    source = ForeignKey(references=BusySource, index=True)
    lawyer = ForeignKey(references=Lawyer, index=True)
    starts_at = Timestamptz()
    ends_at = Timestamptz()


class ConflictOfInterest(Table):
    id = UUID(primary_key=True)
    lawyer = ForeignKey(references=Lawyer, index=True)
    credit_code = Varchar(length=18, index=True)
    reason = Varchar(length=500)
    created_at = Timestamptz(default=TimestamptzNow())


class Booking(Table):
    """A one-to-one session. `blocked_until` = end + the lawyer's buffer: live bookings of one
    lawyer may not overlap on [starts_at, blocked_until) (an exclusion constraint / trigger).
    Live statuses are `confirmed` and `held` (a slot kept for a waitlisted enterprise until
    `hold_expires_at`)."""

    id = UUID(primary_key=True)
    program = ForeignKey(references=Program, index=True)
    enterprise = ForeignKey(references=Enterprise, index=True)
    enrolment = ForeignKey(references=Enrolment)
    lawyer = ForeignKey(references=Lawyer, index=True)
    service = Varchar(length=20)
    practice_area = Varchar(length=40)
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    blocked_until = Timestamptz()
    duration_minutes = Integer()
    status = Varchar(length=12, default="confirmed", index=True)
    hold_expires_at = Timestamptz(null=True, default=None)
    topic = Varchar(length=200)
    notes = Text(null=True, default=None)
    match_reason = Text(null=True, default=None)
    sequence = Integer(default=0)  # iTIP SEQUENCE, bumped with every change the invite shows
    minutes_used = Integer(null=True, default=None)
    status_reason = Text(null=True, default=None)
    lawyer_partstat = Varchar(length=20, default="NEEDS-ACTION")
    enterprise_partstat = Varchar(length=20, default="NEEDS-ACTION")
    rating = Integer(null=True, default=None)
    comment = Text(null=True, default=None)
    created_by = Varchar(length=254)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class IdempotencyKey(Table):
    """A replayed POST returns the first response: key scoped to the caller."""

    key = Varchar(length=300, primary_key=True)
    request_hash = Varchar(length=64)
    response_status = Integer()
    response_body = JSON()
    created_at = Timestamptz(default=TimestamptzNow())


class Seminar(Table):
    """A group session (seminar or case sharing) given by one lawyer."""

    id = UUID(primary_key=True)
    program = ForeignKey(references=Program, index=True)
    lawyer = ForeignKey(references=Lawyer, index=True)
    service = Varchar(length=20, default="seminar")
    title = Varchar(length=200)
    practice_area = Varchar(length=40)
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    capacity = Integer()
    minutes_per_attendee = Integer()
    registered = Integer(default=0)
    sequence = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())


class SeminarRegistration(Table):
    id = UUID(primary_key=True)
    seminar = ForeignKey(references=Seminar, index=True)
    enterprise = ForeignKey(references=Enterprise)
    enrolment = ForeignKey(references=Enrolment)
    minutes = Integer()
    status = Varchar(length=12, default="registered")
    created_at = Timestamptz(default=TimestamptzNow())


class WaitlistEntry(Table):
    id = UUID(primary_key=True)
    program = ForeignKey(references=Program)
    enterprise = ForeignKey(references=Enterprise, index=True)
    service = Varchar(length=20)
    practice_area = Varchar(length=40)
    window_start = Timestamptz()
    window_end = Timestamptz()
    status = Varchar(length=12, default="waiting", index=True)
    offered_booking = UUID(null=True, default=None)  # a `held` booking kept for this entry
    created_at = Timestamptz(default=TimestamptzNow())
