"""Domain exceptions: plain Python, so rules can raise them; errors.py maps them to HTTP."""


class DomainError(Exception):
    """A refusal the client can act on; subclasses fix status, code and title."""

    status = 400
    code = "bad_request"
    title = "Bad request"

    def __init__(self, detail: str | None = None, **extra):
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = extra


class NotFound(DomainError):
    status, code, title = 404, "not_found", "Not found"


class Forbidden(DomainError):
    status, code, title = 403, "forbidden", "Outside your scope"


class Unauthenticated(DomainError):
    status, code, title = 401, "unauthenticated", "Authentication required"


class Conflict(DomainError):
    status, code, title = 409, "conflict", "Conflict"


class HasDependents(Conflict):
    code, title = "has_dependents", "Other records depend on this one"


class AlreadyExists(Conflict):
    code, title = "already_exists", "A record with this value already exists"


class PreconditionFailed(DomainError):
    status, code, title = 412, "precondition_failed", "The record changed since you read it"


class ValidationFailed(DomainError):
    """A 422 naming the offending fields."""

    status, code, title = 422, "validation_failed", "Validation failed"

    def __init__(self, errors: dict[str, list[str]], detail: str | None = None):
        super().__init__(detail or "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.extra = {"errors": errors}
