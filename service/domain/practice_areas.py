"""The fixed vocabulary of practice areas, and which broad area covers which narrow one."""

from __future__ import annotations

PRACTICE_AREAS: dict[str, str] = {
    "intellectual_property": "Intellectual property",
    "trademark": "Trademarks",
    "patent": "Patents",
    "copyright": "Copyright",
    "contract": "Contracts",
    "labour": "Labour and employment",
    "corporate": "Corporate governance",
    "tax": "Tax",
    "data_compliance": "Data protection and compliance",
    "dispute_resolution": "Dispute resolution",
    "financing": "Financing",
    "criminal_compliance": "Criminal compliance",
}

# A lawyer practising the broad area can take a request for any narrow one it covers.
BROADER: dict[str, str] = {
    "trademark": "intellectual_property",
    "patent": "intellectual_property",
    "copyright": "intellectual_property",
}


def unknown_areas(areas: list[str]) -> list[str]:
    return [area for area in areas if area not in PRACTICE_AREAS]


def area_match(requested: str, practised: list[str] | tuple[str, ...]) -> str | None:
    """'exact', 'broader' (covered by a broader area the lawyer practises) or None."""
    if requested in practised:
        return "exact"
    if BROADER.get(requested) in practised:
        return "broader"
    return None
