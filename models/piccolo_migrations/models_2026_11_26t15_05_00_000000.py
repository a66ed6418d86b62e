"""A notice with a de-duplication key (a reminder) is written once per key."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-26T15:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique outbox dedup key"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="models", description=DESCRIPTION)

    async def create_index():
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX outbox_message_dedup_key ON outbox_message (dedup_key)"
            " WHERE dedup_key IS NOT NULL"
        )

    manager.add_raw(create_index)
    return manager
