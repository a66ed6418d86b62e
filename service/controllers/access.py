"""Scoping helpers shared by controllers: who the caller is and what they may touch."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar.exceptions import PermissionDeniedException
from litestar.params import QueryParameter

from service.auth import Principal
from service.usecases.paging import MAX_LIMIT, MAX_OFFSET, Page


def ensure_enterprise_access(principal: Principal, enterprise_id: UUID) -> None:
    if not principal.may_act_for_enterprise(enterprise_id):
        raise PermissionDeniedException("you may only act for your own enterprise")


def provide_page(
    limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT, description="rows per page")] = 50,
    offset: Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET, description="rows to skip")] = 0,
) -> Page:
    return Page(limit=limit, offset=offset)


def ensure_lawyer_access(principal: Principal, lawyer_id: UUID) -> None:
    if not principal.may_act_for_lawyer(lawyer_id):
        raise PermissionDeniedException("you may only act for your own lawyer profile")
