from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from litestar import MediaType, Response, get
from litestar.params import QueryParameter

from service.auth import BAR_ADMIN, requires_role
from service.domain.usage_report import usage_csv
from service.openapi_docs import also_answering_in
from service.schemas import UsageReportOut
from service.usecases.usage_report import usage_report


@get(
    "/api/v1/reports/usage",
    guards=[requires_role(BAR_ADMIN)],
    tags=["reports"],
    media_type=MediaType.JSON,
    operation_class=also_answering_in("text/csv"),
)
async def usage(
    program_id: Annotated[UUID, QueryParameter()],
    group_by: Annotated[
        Literal["enterprise", "lawyer", "practice_area", "service", "month"], QueryParameter()
    ] = "enterprise",
    report_format: Annotated[Literal["json", "csv"], QueryParameter(name="format")] = "json",
) -> Response[UsageReportOut]:
    """Granted, topped-up, held, used and forfeited minutes, sessions, no-shows and mean rating
    per group, with the programme's total; `format=csv` gives a spreadsheet (UTF-8 with BOM)."""
    report = await usage_report(program_id, group_by)
    if report_format == "csv":
        return Response(
            usage_csv(group_by, report.rows, report.total),
            media_type="text/csv",  # Litestar adds the charset
            headers={"Content-Disposition": f'attachment; filename="usage-{group_by}.csv"'},
        )
    return Response(report)
