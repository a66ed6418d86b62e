"""`probono`: the operator's verbs."""

from __future__ import annotations

import argparse
import asyncio
import gc
import getpass
import sys
from datetime import date

from service.settings import Settings, SettingsError, get_settings


def _settings() -> Settings:
    try:
        return get_settings()
    except SettingsError as error:
        sys.exit(f"probono: configuration error: {error}")


async def _with_database(settings: Settings, work) -> object:
    from models.database import build_engine, connected, migrate

    engine = build_engine(settings.database_url)
    await migrate(engine)
    async with connected(engine):
        return await work()


async def _prepare(settings: Settings) -> None:
    """Migrate, create the configured admin, seed demo data when asked."""
    from service.usecases.bootstrap import ensure_admin, seed_demo_data

    async def work() -> None:
        if settings.admin_email and await ensure_admin(
            settings.admin_email, settings.admin_password
        ):
            print(f"created bar_admin {settings.admin_email}")
        if settings.demo_data:
            print("demo logins (role, e-mail, password):")
            for role, email, password in await seed_demo_data(date.today()):
                print(f"  {role:<10} {email:<28} {password}")

    await _with_database(settings, work)


def settle_garbage_collector() -> None:
    """Keep the cyclic garbage collector off what lives as long as the process.

    Modules, routes and caches are some 100,000 objects; a full collection walks them all and
    stalled one request in twenty by about 60 ms in bench/slots.py. Frozen, they are skipped,
    and rarer young collections cost less per request than the default's many small ones.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


def served_app():
    """The app as `probono serve` runs it, built in each worker process."""
    from service.app import create_app

    app = create_app(_settings())
    app.on_startup.append(settle_garbage_collector)
    return app


def serve(_: argparse.Namespace) -> None:
    import uvicorn

    settings = _settings()
    asyncio.run(_prepare(settings))
    processes = f" in {settings.workers} processes" if settings.workers > 1 else ""
    print(f"serving on http://{settings.host}:{settings.port}{processes} (OpenAPI at /schema)")
    uvicorn.run(
        "service.cli:served_app",
        factory=True,
        workers=settings.workers,
        host=settings.host,
        port=settings.port,
        log_level="info",
    )


def migrate(_: argparse.Namespace) -> None:
    from models.database import build_engine
    from models.database import migrate as run_migrations

    print(asyncio.run(run_migrations(build_engine(_settings().database_url))))


def create_admin(args: argparse.Namespace) -> None:
    import msgspec

    from service.domain.errors import DomainError
    from service.schemas import UserCreate
    from service.usecases.users import create_user

    settings = _settings()
    password = args.password or getpass.getpass(f"password for {args.email}: ")
    try:
        user = msgspec.convert(
            {"email": args.email, "password": password, "role": "bar_admin"}, UserCreate
        )
        asyncio.run(_with_database(settings, lambda: create_user("cli", user)))
    except (msgspec.ValidationError, DomainError) as error:
        sys.exit(f"probono: {error}")
    print(f"created bar_admin {args.email}")


def worker(args: argparse.Namespace) -> None:
    from arq.worker import check_health, run_worker

    if _settings().redis_url is None:
        sys.exit("probono: REDIS_URL is not set; without it jobs run inside `probono serve`")
    from jobs.worker import WorkerSettings

    if args.check:
        sys.exit(check_health(WorkerSettings))
    run_worker(WorkerSettings)


def demo_data(_: argparse.Namespace) -> None:
    from dataclasses import replace

    asyncio.run(_prepare(replace(_settings(), demo_data=True, admin_email=None)))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="probono", description=__doc__)
    verbs = parser.add_subparsers(dest="verb", required=True)
    verbs.add_parser("serve", help="migrate, bootstrap and serve the HTTP API").set_defaults(
        run=serve
    )
    worker_verb = verbs.add_parser("worker", help="run the arq worker (needs REDIS_URL)")
    worker_verb.add_argument(
        "--check", action="store_true", help="exit 0 if a worker reported healthy recently"
    )
    worker_verb.set_defaults(run=worker)
    verbs.add_parser("migrate", help="apply pending database migrations").set_defaults(run=migrate)
    admin = verbs.add_parser("create-admin", help="create a bar_admin login")
    admin.add_argument("--email", required=True)
    admin.add_argument("--password", help="prompted for when left out")
    admin.set_defaults(run=create_admin)
    verbs.add_parser(
        "demo-data", help="seed the demo programme, enterprises and logins"
    ).set_defaults(run=demo_data)
    args = parser.parse_args(argv)
    args.run(args)


if __name__ == "__main__":
    main()
