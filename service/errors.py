"""Every failure leaves as RFC 9457 problem details, through Litestar's ProblemDetailsPlugin."""

from __future__ import annotations

import re
import sqlite3
from http import HTTPStatus
from typing import Any

import asyncpg
from litestar.exceptions import HTTPException, ValidationException
from litestar.plugins.problem_details import (
    ProblemDetailsConfig,
    ProblemDetailsException,
    ProblemDetailsPlugin,
)

from service.domain import errors as domain

DOMAIN_STATUS = {
    domain.NotFound: HTTPStatus.NOT_FOUND,
    domain.Conflict: HTTPStatus.CONFLICT,
    domain.Unprocessable: HTTPStatus.UNPROCESSABLE_ENTITY,
    domain.Forbidden: HTTPStatus.FORBIDDEN,
}


def problem(
    status: int, detail: str, slug: str | None = None, **kwargs: Any
) -> ProblemDetailsException:
    phrase = HTTPStatus(status).phrase
    slug = slug or re.sub(r"\W+", "-", phrase.lower())
    return ProblemDetailsException(
        status_code=status,
        title=phrase,
        detail=detail,
        type_=f"urn:probono-hours:problem:{slug}",
        **kwargs,
    )


def _from_domain(exc: domain.DomainError) -> ProblemDetailsException:
    status = next(code for kind, code in DOMAIN_STATUS.items() if isinstance(exc, kind))
    return problem(status, exc.detail, re.sub(r"(?<!^)(?=[A-Z])", "-", type(exc).__name__).lower())


def _from_validation(exc: ValidationException) -> ProblemDetailsException:
    """Bad input is 422 with each complaint spelled out, e.g. a datetime without an offset."""
    complaints = [item for item in exc.extra or [] if isinstance(item, dict)]
    detail = "; ".join(_explain(item) for item in complaints) or str(exc.detail)
    return problem(422, detail, "invalid-input", extra={"errors": complaints})


def _explain(complaint: dict[str, Any]) -> str:
    message = str(complaint.get("message", "invalid value"))
    message = message.replace("with a timezone component", "with an offset such as +08:00")
    key = complaint.get("key")
    return f"{message} (in {key})" if key and key not in message else message


def _from_http(exc: HTTPException) -> ProblemDetailsException:
    return problem(exc.status_code, str(exc.detail), headers=exc.headers)


def _from_duplicate(exc: Exception) -> ProblemDetailsException:
    """A unique index refused a row that a concurrent request inserted first."""
    if isinstance(exc, sqlite3.IntegrityError) and "UNIQUE" not in str(exc):
        return problem(500, "the database refused the change")
    return problem(409, "that record already exists (it was created a moment ago)", "duplicate")


def _from_unexpected(_: Exception) -> ProblemDetailsException:
    return problem(500, "something went wrong on our side; the error has been logged")


problem_details = ProblemDetailsPlugin(
    ProblemDetailsConfig(
        exception_to_problem_detail_map={
            domain.DomainError: _from_domain,
            ValidationException: _from_validation,
            HTTPException: _from_http,
            asyncpg.UniqueViolationError: _from_duplicate,
            sqlite3.IntegrityError: _from_duplicate,
            Exception: _from_unexpected,
        }
    )
)
