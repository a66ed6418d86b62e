"""create_app(): routes, lifespan, auth, error mapping."""

from __future__ import annotations

from litestar import Litestar
from litestar.datastructures import State
from litestar.logging import LoggingConfig
from litestar.openapi import OpenAPIConfig

from service.auth import build_jwt_auth
from service.controllers.audit import AuditController
from service.controllers.auth import AuthController, login_rate_limit
from service.controllers.bookings import BookingController
from service.controllers.busy_calendars import BusyCalendarController
from service.controllers.calendar_feed import CalendarFeedController
from service.controllers.enterprises import EnterpriseController
from service.controllers.health import health
from service.controllers.itip import itip_reply
from service.controllers.lawyers import LawyerController
from service.controllers.practice_areas import practice_areas
from service.controllers.programs import ProgramController
from service.controllers.reports import usage
from service.controllers.seminars import SeminarController
from service.controllers.slots import slots
from service.controllers.top_ups import TopUpController
from service.controllers.users import UserController
from service.controllers.waitlist import WaitlistController
from service.domain.instants import decode_instant, is_instant
from service.errors import problem_details
from service.lifespan import lifespan
from service.openapi_docs import ClosedStructSchemaPlugin, InstantSchemaPlugin, declare_problems
from service.settings import Settings, get_settings
from service.usecases.calendar_cache import CalendarCache


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    jwt_auth = build_jwt_auth(settings)
    app = Litestar(
        route_handlers=[
            health,
            AuthController,
            UserController,
            ProgramController,
            EnterpriseController,
            LawyerController,
            BusyCalendarController,
            CalendarFeedController,
            practice_areas,
            slots,
            BookingController,
            SeminarController,
            WaitlistController,
            itip_reply,
            AuditController,
            TopUpController,
            usage,
        ],
        lifespan=[lifespan],
        on_app_init=[jwt_auth.on_app_init],
        plugins=[problem_details, ClosedStructSchemaPlugin(), InstantSchemaPlugin()],
        type_decoders=[(is_instant, decode_instant)],
        middleware=[login_rate_limit(settings.login_attempts_per_minute).middleware],
        state=State(
            {
                "settings": settings,
                "jwt_auth": jwt_auth,
                "redis": None,
                "calendar_cache": CalendarCache(),
            }
        ),
        # an unexpected error is answered 500 and its traceback kept in the log
        logging_config=LoggingConfig(log_exceptions="always"),
        openapi_config=OpenAPIConfig(
            title="probono-hours",
            version="1.0.0",
            description="Scheduling and hours ledger for a pro-bono legal programme.",
            path="/schema",
        ),
    )
    declare_problems(app)
    return app
