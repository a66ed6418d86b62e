"""What the OpenAPI document says beyond the handlers' types: every route names the RFC 9457
problem details it may answer with, the routes open to everyone say they need no token, and a
route that can answer in a second format says so, and a request body that refuses unknown
fields says `additionalProperties: false`."""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import msgspec
from litestar import Litestar

# Litestar's own schema plugin for msgspec structs; not exported, so pinned with Litestar 2.x.
from litestar._openapi.schema_generation.plugins import StructSchemaPlugin
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIType,
    Operation,
    Schema,
)
from litestar.plugins import OpenAPISchemaPlugin
from msgspec import Struct

from service.domain.instants import EXAMPLE, Instant

PROBLEM_MEDIA_TYPE = "application/problem+json"
EVERY_ROUTE = (400, 404, 422, 500)  # malformed, unknown id, invalid input, our fault
SIGNED_IN = (401, 403, 409)  # no or bad token, not yours, a state that forbids the change


class Problem(Struct):
    type: str
    title: str
    status: int
    detail: str  # a sentence a person can act on
    errors: list[dict[str, Any]] | None = None  # invalid input: each complaint and its field


@dataclass
class PublicOperation(Operation):
    """A route anyone may call: no bearer token, whatever the app-wide security says."""

    def __post_init__(self) -> None:
        self.security = []


class ClosedStructSchemaPlugin(StructSchemaPlugin):
    """Structs made with forbid_unknown_fields (request bodies) are closed objects, and the
    limits on the strings of a list (practice areas, languages) are kept."""

    def to_openapi_schema(self, field_definition, schema_creator):
        schema = super().to_openapi_schema(field_definition, schema_creator)
        struct = msgspec.inspect.type_info(field_definition.type_)
        if struct.forbid_unknown_fields:
            schema.additional_properties = False
        for name, item in _string_list_items(struct):
            prop = schema.properties.get(name)
            for variant in [prop, *(getattr(prop, "one_of", None) or [])]:
                if isinstance(items := getattr(variant, "items", None), Schema):
                    items.min_length, items.max_length = item.min_length, item.max_length
                    items.pattern = item.pattern
        return schema


def _string_list_items(struct: msgspec.inspect.StructType):
    """(property name, string constraints) of each field that is a list of strings."""
    for field in struct.fields:
        kinds = (
            field.type.types if isinstance(field.type, msgspec.inspect.UnionType) else (field.type,)
        )
        for kind in kinds:
            if not isinstance(kind, msgspec.inspect.ListType):
                continue
            item = kind.item_type
            if isinstance(item, msgspec.inspect.Metadata):  # a described string
                item = item.type
            if isinstance(item, msgspec.inspect.StrType):
                yield field.encode_name, item


class InstantSchemaPlugin(OpenAPISchemaPlugin):
    """Instant (strictly decoded) is a date-time string to clients."""

    def is_plugin_supported_field(self, field_definition) -> bool:
        return field_definition.annotation is Instant

    def to_openapi_schema(self, field_definition, schema_creator) -> Schema:
        return Schema(
            type=OpenAPIType.STRING,
            format=OpenAPIFormat.DATE_TIME,
            description=f"ISO 8601 with an offset, e.g. {EXAMPLE}",
        )


def also_answering_in(media_type: str) -> type[Operation]:
    """An Operation whose success may also come as `media_type`, a text body."""

    @dataclass
    class AlsoAnswering(Operation):
        def __post_init__(self) -> None:
            for status, response in (self.responses or {}).items():
                if status.startswith("2") and response.content is not None:
                    response.content[media_type] = OpenAPIMediaType(
                        schema=Schema(type=OpenAPIType.STRING)
                    )

    return AlsoAnswering


def problem_response(status: int) -> ResponseSpec:
    return ResponseSpec(
        data_container=Problem,
        description=HTTPStatus(status).phrase,
        media_type=PROBLEM_MEDIA_TYPE,
        generate_examples=False,
    )


def declare_problems(app: Litestar) -> None:
    """Add the problem responses to each route's own (its own take precedence)."""
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if not isinstance(handler, HTTPRouteHandler) or not handler.include_in_schema:
                continue
            public = handler.opt.get("exclude_from_auth", False)
            statuses = EVERY_ROUTE if public else EVERY_ROUTE + SIGNED_IN
            handler.responses = {status: problem_response(status) for status in statuses} | dict(
                handler.responses or {}
            )
