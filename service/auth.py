"""Bearer tokens (Litestar's JWT auth), the caller as a Principal, and role guards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.security.jwt import JWTAuth, Token

from models.tables import AppUser
from service.settings import Settings

BAR_ADMIN = "bar_admin"
ENTERPRISE = "enterprise"
LAWYER = "lawyer"


@dataclass(frozen=True)
class Principal:
    id: UUID
    email: str
    role: str
    enterprise_id: UUID | None = None
    lawyer_id: UUID | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == BAR_ADMIN

    def may_act_for_enterprise(self, enterprise_id: UUID) -> bool:
        return self.is_admin or (self.role == ENTERPRISE and self.enterprise_id == enterprise_id)

    def may_act_for_lawyer(self, lawyer_id: UUID) -> bool:
        return self.is_admin or (self.role == LAWYER and self.lawyer_id == lawyer_id)


async def load_principal(token: Token, _: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    try:
        user_id = UUID(token.sub)
    except ValueError:
        return None
    row = (
        await AppUser.select(
            AppUser.id, AppUser.email, AppUser.role, AppUser.enterprise, AppUser.lawyer_id
        )
        .where(AppUser.id == user_id)
        .first()
    )
    if row is None:
        return None
    return Principal(
        id=row["id"],
        email=row["email"],
        role=row["role"],
        enterprise_id=row["enterprise"],
        lawyer_id=row["lawyer_id"],
    )


def build_jwt_auth(settings: Settings) -> JWTAuth[Principal]:
    return JWTAuth[Principal](
        retrieve_user_handler=load_principal,
        token_secret=settings.secret_key,
        default_token_expiration=timedelta(minutes=settings.token_lifetime_minutes),
        exclude=["^/schema"],
    )


def issue_token(
    jwt_auth: JWTAuth[Principal], user_id: UUID, lifetime_minutes: int
) -> tuple[str, datetime]:
    lifetime = timedelta(minutes=lifetime_minutes)
    expires_at = (datetime.now(UTC) + lifetime).replace(microsecond=0)
    return jwt_auth.create_token(identifier=str(user_id), token_expiration=lifetime), expires_at


def requires_role(*roles: str):
    """A guard admitting callers whose role is one of `roles`."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if connection.scope.get("method") == "OPTIONS":
            return  # Litestar's own answer naming the allowed methods: no data, no sign-in
        principal = connection.user
        if not isinstance(principal, Principal):
            raise NotAuthorizedException("sign in first: POST /api/v1/auth/token")
        if principal.role not in roles:
            raise PermissionDeniedException(
                f"this needs the role {' or '.join(roles)}; you are signed in as {principal.role}"
            )

    return guard


requires_admin = requires_role(BAR_ADMIN)
requires_any_role = requires_role(BAR_ADMIN, ENTERPRISE, LAWYER)
