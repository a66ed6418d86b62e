from __future__ import annotations

from litestar import Controller, Request, post
from litestar.exceptions import NotAuthorizedException
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.params import JSONBody

from service.auth import issue_token
from service.openapi_docs import PublicOperation, problem_response
from service.schemas import TokenRequest, TokenResponse
from service.usecases.users import authenticate


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]

    @post(
        "/token",
        exclude_from_auth=True,
        status_code=200,
        operation_class=PublicOperation,
        responses={status: problem_response(status) for status in (401, 429)},
    )
    async def token(self, request: Request, data: JSONBody[TokenRequest]) -> TokenResponse:
        """Exchange e-mail and password for a bearer token."""
        user = await authenticate(data.email, data.password)
        if user is None:
            raise NotAuthorizedException("e-mail or password is wrong")
        settings = request.app.state.settings
        access_token, expires_at = issue_token(
            request.app.state.jwt_auth, user["id"], settings.token_lifetime_minutes
        )
        return TokenResponse(access_token=access_token, role=user["role"], expires_at=expires_at)


def login_rate_limit(attempts_per_minute: int) -> RateLimitConfig:
    return RateLimitConfig(
        rate_limit=("minute", attempts_per_minute),
        check_throttle_handler=lambda request: request.url.path == "/api/v1/auth/token",
    )
