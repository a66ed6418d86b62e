"""Who may be enrolled in a programme."""

from __future__ import annotations

from datetime import date


def enrolment_problem(
    program_name: str,
    program_ends_on: date,
    eligible_districts: list[str],
    enterprise_name: str,
    enterprise_district: str | None,
    today: date,
) -> str | None:
    """Why the enterprise cannot be enrolled, or None when it can."""
    if today > program_ends_on:
        return f"programme {program_name!r} ended on {program_ends_on}"
    if eligible_districts and enterprise_district not in eligible_districts:
        where = f"in district {enterprise_district!r}" if enterprise_district else "in no district"
        return (
            f"enterprise {enterprise_name!r} is {where}; programme {program_name!r} "
            f"is open to enterprises in {', '.join(eligible_districts)}"
        )
    return None
