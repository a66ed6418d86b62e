"""Indexes for slot search and the one-declaration-per-enterprise rule for conflicts."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-26T14:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "conflict uniqueness, busy-time indexes"

STATEMENTS = [
    "CREATE UNIQUE INDEX conflict_of_interest_lawyer_code"
    " ON conflict_of_interest (lawyer, credit_code)",
    "CREATE INDEX busy_block_lawyer_time ON busy_block (lawyer, starts_at, ends_at)",
    "CREATE INDEX time_off_lawyer_time ON time_off (lawyer, starts_at, ends_at)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="models", description=DESCRIPTION)

    async def create_indexes():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(create_indexes)
    return manager
