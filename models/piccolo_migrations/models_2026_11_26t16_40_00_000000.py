"""Every change to a lawyer's calendar raises lawyer.calendar_version, in the same transaction.

Slot search keeps calendars in memory and reloads a lawyer's when the version moved; the
database raises it, so no write path can forget to. Updates that cannot change free time (a
rating, an invite's SEQUENCE, a seminar's seat count) leave it alone.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-26T16:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "bump lawyer calendar version"

# table -> the columns whose update changes the lawyer's free time, or None for any column
CALENDAR_TABLES = {
    "availability_rule": None,
    "time_off": None,
    "busy_block": None,
    "booking": "lawyer, program, starts_at, ends_at, blocked_until, status, duration_minutes",
    "seminar": "lawyer, starts_at, ends_at",
}

BUMP = "UPDATE lawyer SET calendar_version = calendar_version + 1 WHERE id = {row}.lawyer"

POSTGRES_FUNCTION = f"""CREATE FUNCTION bump_lawyer_calendar_version() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        {BUMP.format(row="OLD")};
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.lawyer IS DISTINCT FROM OLD.lawyer) THEN
        {BUMP.format(row="NEW")};
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql"""


def postgres_statements() -> list[str]:
    statements = [POSTGRES_FUNCTION]
    for table, columns in CALENDAR_TABLES.items():
        update = f"UPDATE OF {columns}" if columns else "UPDATE"
        statements.append(
            f"CREATE TRIGGER {table}_bumps_calendar AFTER INSERT OR {update} OR DELETE"
            f" ON {table} FOR EACH ROW EXECUTE FUNCTION bump_lawyer_calendar_version()"
        )
    return statements


def sqlite_statements() -> list[str]:
    statements = []
    for table, columns in CALENDAR_TABLES.items():
        update = f"UPDATE OF {columns}" if columns else "UPDATE"
        for event, bumps in (
            ("INSERT", [BUMP.format(row="NEW")]),
            ("DELETE", [BUMP.format(row="OLD")]),
            (
                update,
                [
                    BUMP.format(row="OLD"),
                    f"{BUMP.format(row='NEW')} AND NEW.lawyer IS NOT OLD.lawyer",
                ],
            ),
        ):
            name = f"{table}_bumps_calendar_{event.split()[0].lower()}"
            body = "; ".join(bumps)
            statements.append(f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {body}; END")
    return statements


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="models", description=DESCRIPTION)

    async def create_triggers():
        engine = engine_finder()
        statements = (
            sqlite_statements() if engine.engine_type == "sqlite" else postgres_statements()
        )
        for statement in statements:
            await engine.run_ddl(statement)

    manager.add_raw(create_triggers)
    return manager
