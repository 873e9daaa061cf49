"""Domain exceptions: plain Python, so rules can raise them; errors.py maps them to HTTP.
Titles and details are messages (service/messages.py): English in the code, shown in the
reader's language."""

from service.messages import Message, _


class DomainError(Exception):
    """A refusal the client can act on; subclasses fix status, code and title."""

    status = 400
    code = "bad_request"
    title: Message = _("Bad request")

    def __init__(self, detail: str | None = None, **extra):
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = extra


class NotFound(DomainError):
    status, code, title = 404, "not_found", _("Not found")


class Forbidden(DomainError):
    status, code, title = 403, "forbidden", _("Outside your scope")


class Unauthenticated(DomainError):
    status, code, title = 401, "unauthenticated", _("Authentication required")


class Conflict(DomainError):
    status, code, title = 409, "conflict", _("Conflict")


class HasDependents(Conflict):
    code, title = "has_dependents", _("Other records depend on this one")


class AlreadyExists(Conflict):
    code, title = "already_exists", _("A record with this value already exists")


class PreconditionFailed(DomainError):
    status, code, title = 412, "precondition_failed", _("The record changed since you read it")


class ValidationFailed(DomainError):
    """A 422 naming the offending fields; without a detail of its own, the answer's detail
    names the fields' messages in the reader's language."""

    status, code, title = 422, "validation_failed", _("Validation failed")

    def __init__(self, errors: dict[str, list[str]], detail: str | None = None):
        super().__init__(detail or "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.detail = detail
        self.extra = {"errors": errors}
