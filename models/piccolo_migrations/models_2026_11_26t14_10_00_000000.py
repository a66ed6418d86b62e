"""Invariants the database itself enforces, written per engine.

- an enrolment's held + used + forfeited minutes never exceed granted + topped up;
- one enrolment per enterprise and programme;
- ledger entries are positive, of a known kind, and never updated or deleted.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-26T14:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "database-enforced ledger invariants"

LEDGER_KINDS = "('grant', 'top_up', 'hold', 'release', 'use', 'forfeit')"
COUNTERS_NEGATIVE = (
    "{p}granted_minutes < 0 OR {p}topped_up_minutes < 0 OR {p}held_minutes < 0"
    " OR {p}used_minutes < 0 OR {p}forfeited_minutes < 0"
)
OVERDRAWN = (
    "{p}held_minutes + {p}used_minutes + {p}forfeited_minutes"
    " > {p}granted_minutes + {p}topped_up_minutes"
)

COMMON = [
    "CREATE UNIQUE INDEX enrolment_program_enterprise ON enrolment (program, enterprise)",
]

POSTGRES = [
    "ALTER TABLE enrolment ADD CONSTRAINT enrolment_counters_not_negative"
    f" CHECK (NOT ({COUNTERS_NEGATIVE.format(p='')}))",
    f"ALTER TABLE enrolment ADD CONSTRAINT enrolment_no_overdraft CHECK (NOT ({OVERDRAWN.format(p='')}))",
    "ALTER TABLE ledger_entry ADD CONSTRAINT ledger_entry_valid"
    f" CHECK (minutes > 0 AND kind IN {LEDGER_KINDS})",
    """CREATE FUNCTION ledger_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'ledger entries are append-only'; END $$""",
    "CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE OR DELETE ON ledger_entry"
    " FOR EACH ROW EXECUTE FUNCTION ledger_entry_append_only()",
]

SQLITE = [
    f"""CREATE TRIGGER enrolment_no_overdraft_{event.lower()} BEFORE {event} ON enrolment
        WHEN {COUNTERS_NEGATIVE.format(p="NEW.")} OR {OVERDRAWN.format(p="NEW.")}
        BEGIN SELECT RAISE(ABORT, 'enrolment_no_overdraft'); END"""
    for event in ("INSERT", "UPDATE")
] + [
    f"""CREATE TRIGGER ledger_entry_valid BEFORE INSERT ON ledger_entry
        WHEN NEW.minutes <= 0 OR NEW.kind NOT IN {LEDGER_KINDS}
        BEGIN SELECT RAISE(ABORT, 'ledger_entry_valid'); END""",
    """CREATE TRIGGER ledger_entry_no_update BEFORE UPDATE ON ledger_entry
        BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END""",
    """CREATE TRIGGER ledger_entry_no_delete BEFORE DELETE ON ledger_entry
        BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END""",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="models", description=DESCRIPTION)

    async def create_invariants():
        engine = engine_finder()
        statements = SQLITE if engine.engine_type == "sqlite" else POSTGRES
        for statement in COMMON + statements:
            await engine.run_ddl(statement)

    manager.add_raw(create_invariants)
    return manager
