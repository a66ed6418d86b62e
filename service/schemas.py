"""Request and response structs; tables never leave the service."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from msgspec import Meta, Struct

from service.domain.instants import Instant, plain
from service.domain.usage_report import UsageRow

Email = Annotated[
    str,
    Meta(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254, description="an e-mail address"),
]
Name = Annotated[str, Meta(min_length=1, max_length=200)]
ShortText = Annotated[str, Meta(min_length=1, max_length=100)]
Minutes = Annotated[int, Meta(ge=0, multiple_of=30, description="whole minutes, a multiple of 30")]
PositiveMinutes = Annotated[int, Meta(gt=0, multiple_of=30)]
Hours = Annotated[int, Meta(ge=0, le=24 * 30)]
Role = Literal["bar_admin", "enterprise", "lawyer"]
AwareDatetime = Instant  # ISO 8601 text with an offset, read strictly (domain/instants.py)


class Input(Struct, forbid_unknown_fields=True):
    """Request bodies: unknown fields are refused, so a misspelt one is not silently lost."""

    def __post_init__(self) -> None:
        # Instants arrive as the strict Instant type; the rest of the service takes datetimes.
        for name in self.__struct_fields__:
            if isinstance(value := getattr(self, name), Instant):
                setattr(self, name, plain(value))


class TokenRequest(Input):
    email: Email
    password: Annotated[str, Meta(min_length=1, max_length=200)]


class TokenResponse(Struct):
    access_token: str
    role: Role
    expires_at: datetime
    token_type: str = "bearer"


class UserCreate(Input):
    email: Email
    password: Annotated[str, Meta(min_length=8, max_length=200)]
    role: Role
    enterprise_id: UUID | None = None
    lawyer_id: UUID | None = None


class UserOut(Struct):
    id: UUID
    email: str
    role: Role
    enterprise_id: UUID | None
    lawyer_id: UUID | None
    created_at: datetime


class ProgramCreate(Input):
    name: Name
    starts_on: date
    ends_on: date
    mailbox: Email
    timezone: str = "Asia/Shanghai"
    minutes_per_enterprise: Minutes = 600
    cancellation_notice_hours: Hours = 24
    min_notice_hours: Hours = 24
    horizon_days: Annotated[int, Meta(ge=1, le=366)] = 60
    eligible_districts: list[ShortText] = msgspec.field(default_factory=list)


class ProgramOut(Struct):
    id: UUID
    name: str
    starts_on: date
    ends_on: date
    timezone: str
    minutes_per_enterprise: int
    cancellation_notice_hours: int
    min_notice_hours: int
    horizon_days: int
    eligible_districts: list[str]
    mailbox: str
    created_at: datetime


class EnterpriseCreate(Input):
    name: Name
    credit_code: Annotated[str, Meta(min_length=1, max_length=40)]
    contact_name: ShortText
    contact_email: Email
    district: ShortText | None = None
    industry: ShortText | None = None


class EnterpriseOut(Struct):
    id: UUID
    name: str
    credit_code: str
    contact_name: str
    contact_email: str
    district: str | None
    industry: str | None
    created_at: datetime


class EnrolmentCreate(Input):
    enterprise_id: UUID


class EnrolmentOut(Struct):
    id: UUID
    program_id: UUID
    enterprise_id: UUID
    granted_minutes: int
    created_at: datetime


class LedgerLine(Struct):
    kind: str
    minutes: int
    booking_id: UUID | None
    at: datetime
    actor: str


class HoursOut(Struct):
    program_id: UUID
    enterprise_id: UUID
    granted_minutes: int
    topped_up_minutes: int
    held_minutes: int
    used_minutes: int
    forfeited_minutes: int
    remaining_minutes: int
    ledger: list[LedgerLine]


class Health(Struct):
    status: Literal["ok", "degraded"]
    database: Literal["up", "down"]
    queue: Literal["up", "down", "in-process"]


PracticeArea = Annotated[str, Meta(min_length=1, max_length=40)]
Language = Annotated[str, Meta(pattern=r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$", description="e.g. zh, en")]
LocalTime = Annotated[
    str, Meta(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM, 00:00-23:59")
]


class LawyerCreate(Input):
    name: ShortText
    email: Email
    license_no: Annotated[str, Meta(min_length=1, max_length=40)]
    firm: Name
    practice_areas: Annotated[list[PracticeArea], Meta(min_length=1)]
    languages: Annotated[list[Language], Meta(min_length=1)] = msgspec.field(
        default_factory=lambda: ["zh"]
    )
    timezone: str = "Asia/Shanghai"
    monthly_cap_minutes: Minutes = 600
    buffer_minutes: Annotated[int, Meta(ge=0, le=240, multiple_of=5)] = 0


class LawyerUpdate(Input):
    name: ShortText | msgspec.UnsetType = msgspec.UNSET
    email: Email | msgspec.UnsetType = msgspec.UNSET
    firm: Name | msgspec.UnsetType = msgspec.UNSET
    practice_areas: Annotated[list[PracticeArea], Meta(min_length=1)] | msgspec.UnsetType = (
        msgspec.UNSET
    )
    languages: Annotated[list[Language], Meta(min_length=1)] | msgspec.UnsetType = msgspec.UNSET
    timezone: str | msgspec.UnsetType = msgspec.UNSET
    monthly_cap_minutes: Minutes | msgspec.UnsetType = msgspec.UNSET
    buffer_minutes: Annotated[int, Meta(ge=0, le=240, multiple_of=5)] | msgspec.UnsetType = (
        msgspec.UNSET
    )
    active: bool | msgspec.UnsetType = msgspec.UNSET


class LawyerOut(Struct):
    id: UUID
    name: str
    email: str
    license_no: str
    firm: str
    practice_areas: list[str]
    languages: list[str]
    timezone: str
    monthly_cap_minutes: int
    buffer_minutes: int
    active: bool
    created_at: datetime


class RuleIn(Input):
    rrule: Annotated[str, Meta(min_length=1, max_length=200, examples=["FREQ=WEEKLY;BYDAY=MO,WE"])]
    start: LocalTime
    end: LocalTime
    valid_from: date | None = None
    valid_until: date | None = None


class RuleOut(Struct):
    rrule: str
    start: str
    end: str
    valid_from: date
    valid_until: date | None


class AvailabilityIn(Input):
    rules: Annotated[list[RuleIn], Meta(max_length=50)]


class AvailabilityOut(Struct):
    lawyer_id: UUID
    timezone: str
    rules: list[RuleOut]


class TimeOffCreate(Input):
    start: AwareDatetime
    end: AwareDatetime
    reason: Annotated[str, Meta(max_length=200)] | None = None


class TimeOffOut(Struct):
    id: UUID
    lawyer_id: UUID
    start: datetime
    end: datetime
    reason: str | None


class BusyFeedIn(Input):
    url: Annotated[str, Meta(pattern=r"^(https?|webcal)://\S+$", max_length=2000)]


class BusyCalendarOut(Struct):
    id: UUID
    lawyer_id: UUID
    kind: Literal["upload", "url", "caldav"]
    url: str | None
    busy_blocks: int
    last_refreshed_at: datetime | None
    last_error: str | None


class ConflictCreate(Input):
    credit_code: Annotated[str, Meta(min_length=1, max_length=40)]
    reason: Annotated[str, Meta(min_length=1, max_length=500)]


class ConflictOut(Struct):
    id: UUID
    lawyer_id: UUID
    credit_code: str
    reason: str
    created_at: datetime


class PracticeAreaOut(Struct):
    code: str
    label: str
    broader: str | None


class SlotOut(Struct):
    lawyer_id: UUID
    start: datetime
    end: datetime
    score: float
    reason: str


class CalDavIn(Input):
    """A CalDAV calendar (Nextcloud, iCloud, Radicale…) read as busy time."""

    caldav_url: Annotated[str, Meta(pattern=r"^https?://\S+$", max_length=2000)]
    username: Annotated[str, Meta(min_length=1, max_length=200)]
    password: Annotated[str, Meta(min_length=1, max_length=500)]


Service = Literal["consultation", "health_check", "seminar", "case_sharing"]
BookingStatus = Literal[
    "confirmed", "held", "completed", "no_show", "cancelled", "declined", "expired"
]


class BookingCreate(Input):
    program_id: UUID
    enterprise_id: UUID
    service: Service
    practice_area: PracticeArea
    start: AwareDatetime
    topic: Annotated[str, Meta(min_length=1, max_length=200)]
    lawyer_id: UUID | None = None
    notes: Annotated[str, Meta(max_length=4000)] | None = None


class BookingOut(Struct):
    id: UUID
    status: BookingStatus
    program_id: UUID
    enterprise_id: UUID
    lawyer_id: UUID
    service: str
    practice_area: str
    start: datetime
    end: datetime
    duration_minutes: int
    topic: str
    notes: str | None
    match_reason: str | None
    sequence: int
    minutes_used: int | None
    status_reason: str | None
    lawyer_partstat: str
    enterprise_partstat: str
    rating: int | None
    comment: str | None
    created_at: datetime
    updated_at: datetime


class CancelIn(Input):
    reason: Annotated[str, Meta(min_length=1, max_length=500)]


class RescheduleIn(Input):
    start: AwareDatetime
    lawyer_id: UUID | None = None


class CompleteIn(Input):
    minutes_used: PositiveMinutes


class FeedbackIn(Input):
    rating: Annotated[int, Meta(ge=1, le=5)]
    comment: Annotated[str, Meta(max_length=2000)] | None = None


class SeminarCreate(Input):
    lawyer_id: UUID
    title: Name
    practice_area: PracticeArea
    start: AwareDatetime
    end: AwareDatetime
    capacity: Annotated[int, Meta(ge=1, le=1000)]
    minutes_per_attendee: PositiveMinutes
    service: Literal["seminar", "case_sharing"] = "seminar"
    program_id: UUID | None = None


class SeminarOut(Struct):
    id: UUID
    program_id: UUID
    lawyer_id: UUID
    service: str
    title: str
    practice_area: str
    start: datetime
    end: datetime
    capacity: int
    registered: int
    minutes_per_attendee: int
    sequence: int


class RegistrationCreate(Input):
    enterprise_id: UUID


class RegistrationOut(Struct):
    id: UUID
    seminar_id: UUID
    enterprise_id: UUID
    minutes: int
    status: Literal["registered", "cancelled", "attended"]
    created_at: datetime


class WaitlistCreate(Input):
    program_id: UUID
    enterprise_id: UUID
    service: Literal["consultation", "health_check"]
    practice_area: PracticeArea
    start: AwareDatetime = msgspec.field(name="from")
    end: AwareDatetime = msgspec.field(name="to")


class WaitlistOut(Struct):
    id: UUID
    program_id: UUID
    enterprise_id: UUID
    service: str
    practice_area: str
    start: datetime = msgspec.field(name="from")
    end: datetime = msgspec.field(name="to")
    status: Literal["waiting", "offered", "accepted", "expired"]
    offered_booking_id: UUID | None = None
    created_at: datetime | None = None


class CertificateSession(Struct):
    kind: Literal["booking", "seminar"]
    id: UUID
    service: str
    practice_area: str
    start: datetime
    minutes: int


class CertificateOut(Struct):
    lawyer_id: UUID
    lawyer_name: str
    firm: str
    license_no: str
    program_id: UUID
    program_name: str
    sessions: list[CertificateSession]
    total_minutes: int
    issued_at: datetime


class MessageOut(Struct):
    id: UUID
    kind: str
    recipient: str
    attempts: int
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None


class ItipOutcome(Struct):
    uid: str
    attendee: str
    partstat: str
    outcome: Literal["recorded", "declined", "ignored"]
    detail: str
    booking_id: UUID | None = None


class AuditEntryOut(Struct):
    id: UUID
    at: datetime
    actor: str  # the e-mail of who did it, or "system" for jobs
    action: str  # e.g. booking.created, booking.cancelled, top_up.approved
    entity_type: str
    entity_id: UUID
    before: dict[str, Any] | None
    after: dict[str, Any] | None


TopUpStatus = Literal["pending", "approved", "rejected"]


class TopUpRequestCreate(Input):
    minutes: Annotated[int, Meta(gt=0, le=6000, multiple_of=30, description="more minutes asked")]
    reason: Annotated[str, Meta(min_length=1, max_length=500)]
    program_id: Annotated[
        UUID | None, Meta(description="default: the enterprise's latest enrolment")
    ] = None


class TopUpRejection(Input):
    reason: Annotated[str, Meta(min_length=1, max_length=500)]


class TopUpRequestOut(Struct):
    id: UUID
    program_id: UUID
    enterprise_id: UUID
    minutes: int
    reason: str
    status: TopUpStatus
    requested_by: str
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None


class UsageReportOut(Struct):
    program_id: UUID
    group_by: Literal["enterprise", "lawyer", "practice_area", "service", "month"]
    rows: list[UsageRow]
    total: UsageRow
