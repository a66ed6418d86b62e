"""No double booking, enforced by the database; seminar capacity and one registration each.

PostgreSQL: an exclusion constraint over (lawyer, [starts_at, blocked_until)) for live
bookings (needs btree_gist). SQLite: triggers that refuse an overlapping live booking; writers
take the write lock up front (BEGIN IMMEDIATE), so the check and the insert are one step.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-26T14:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "booking overlap, seminar capacity"

LIVE = "('confirmed', 'held')"

COMMON = [
    "CREATE UNIQUE INDEX seminar_registration_once ON seminar_registration (seminar, enterprise)"
    " WHERE status = 'registered'",
    "CREATE INDEX booking_lawyer_time ON booking (lawyer, starts_at)",
]

POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE booking ADD CONSTRAINT booking_no_overlap EXCLUDE USING gist"
    f" (lawyer WITH =, tstzrange(starts_at, blocked_until) WITH &&) WHERE (status IN {LIVE})",
    "ALTER TABLE booking ADD CONSTRAINT booking_times"
    " CHECK (starts_at < ends_at AND ends_at <= blocked_until)",
    "ALTER TABLE seminar ADD CONSTRAINT seminar_capacity"
    " CHECK (registered >= 0 AND registered <= capacity)",
]

OVERLAPPING_LIVE_BOOKING = f"""EXISTS (
    SELECT 1 FROM booking AS other
    WHERE other.lawyer = NEW.lawyer AND other.id != NEW.id AND other.status IN {LIVE}
      AND other.starts_at < NEW.blocked_until AND NEW.starts_at < other.blocked_until)"""

SQLITE = [
    f"""CREATE TRIGGER booking_no_overlap_insert BEFORE INSERT ON booking
        WHEN NEW.status IN {LIVE} AND {OVERLAPPING_LIVE_BOOKING}
        BEGIN SELECT RAISE(ABORT, 'booking_no_overlap'); END""",
    f"""CREATE TRIGGER booking_no_overlap_update
        BEFORE UPDATE OF lawyer, starts_at, blocked_until, status ON booking
        WHEN NEW.status IN {LIVE} AND {OVERLAPPING_LIVE_BOOKING}
        BEGIN SELECT RAISE(ABORT, 'booking_no_overlap'); END""",
    """CREATE TRIGGER seminar_capacity BEFORE UPDATE OF registered ON seminar
        WHEN NEW.registered < 0 OR NEW.registered > NEW.capacity
        BEGIN SELECT RAISE(ABORT, 'seminar_capacity'); END""",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="models", description=DESCRIPTION)

    async def create_constraints():
        engine = engine_finder()
        statements = SQLITE if engine.engine_type == "sqlite" else POSTGRES
        for statement in COMMON + statements:
            await engine.run_ddl(statement)

    manager.add_raw(create_constraints)
    return manager
