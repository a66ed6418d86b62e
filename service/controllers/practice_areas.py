from __future__ import annotations

from litestar import get

from service.auth import requires_any_role
from service.domain.practice_areas import BROADER, PRACTICE_AREAS
from service.schemas import PracticeAreaOut


@get("/api/v1/practice-areas", guards=[requires_any_role], tags=["lawyers"], sync_to_thread=False)
def practice_areas() -> list[PracticeAreaOut]:
    """The fixed vocabulary of practice areas; `broader` names the area that covers it."""
    return [
        PracticeAreaOut(code=code, label=label, broader=BROADER.get(code))
        for code, label in PRACTICE_AREAS.items()
    ]
