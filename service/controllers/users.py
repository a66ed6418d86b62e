from __future__ import annotations

from litestar import Controller, Request, post
from litestar.params import JSONBody

from service.auth import requires_admin
from service.schemas import UserCreate, UserOut
from service.usecases.users import create_user


class UserController(Controller):
    path = "/api/v1/users"
    tags = ["users"]
    guards = [requires_admin]

    @post("/")
    async def create(self, request: Request, data: JSONBody[UserCreate]) -> UserOut:
        """Create a login for a bar administrator, an enterprise or a lawyer."""
        return await create_user(request.user.email, data)
