"""Domain failures; service.errors maps each family to an HTTP status once."""


class DomainError(Exception):
    """A rule said no. `detail` is a sentence the user can act on."""

    title = "Request refused"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(DomainError):
    title = "Not found"


class Conflict(DomainError):
    title = "Conflict"


class Unprocessable(DomainError):
    title = "Cannot be done"


class Forbidden(DomainError):
    title = "Forbidden"
