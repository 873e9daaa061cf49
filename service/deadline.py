"""Every request's wall-clock budget (REQUEST_SECONDS): no request, however built, holds a
worker for long.

A request starts its budget when it arrives (service/web.py). Three things enforce it, none of
them reading the county's clock (the business clock tests set) but the process's monotonic one:

- the database's own timeout: each transaction a request opens on PostgreSQL sets
  `statement_timeout` to what is left of the budget (`SET LOCAL`, so a pooled connection keeps
  no trace of it), and an SQLite connection interrupts a statement that runs past it (a
  progress handler, every few thousand virtual-machine steps) — service/db.py installs both;
- `check()` before every statement the engine sends, so a request that runs many short
  queries stops too;
- `check()` in the loops that work without the database (a workbook being written, a plan
  being searched within `within()` seconds).

A request past its budget answers 503 `request_timeout` (service/errors.py maps the database's
cancellation to the same answer) and its worker thread is free for the next one. A statement
started just before the end may run for what was left when its transaction began, so the worst
case is about twice the budget, never unbounded. The CLI has no budget: nothing here applies
outside a request.

gunicorn's own `timeout` (GUNICORN_TIMEOUT) does not bound a request under the gthread worker
the service ships with: it restarts a worker whose main loop stopped telling the master it is
alive, not one of whose threads is busy. This module is what bounds a request.
"""

import time
from contextvars import ContextVar, Token

from service.exceptions import DomainError
from service.messages import _

_DEADLINE: ContextVar[float | None] = ContextVar("request_deadline", default=None)


class RequestTimedOut(DomainError):
    status, code, title = 503, "request_timeout", _("The request took too long")

    def __init__(self, detail: str | None = None):
        super().__init__(detail or _("The request ran past its time budget and was stopped; "
                                     "nothing of it was kept. Narrow it (filters, a smaller "
                                     "file) or use the command line for county-wide work."))


def start(seconds: float) -> Token:
    """Begin a budget of `seconds` for the work of this thread (a request)."""
    return _DEADLINE.set(time.monotonic() + seconds)


def stop(token: Token) -> None:
    """End the budget `start` began."""
    _DEADLINE.reset(token)


def remaining() -> float | None:
    """Seconds left of the current budget (≤ 0 once past it), or None outside a request."""
    deadline = _DEADLINE.get()
    return None if deadline is None else deadline - time.monotonic()


def passed() -> bool:
    """True once the current budget is spent (never outside a request)."""
    deadline = _DEADLINE.get()
    return deadline is not None and time.monotonic() >= deadline


def check() -> None:
    """Raise RequestTimedOut once the current budget is spent."""
    if passed():
        raise RequestTimedOut()


def within(seconds: float, reserve: float = 0.0) -> float:
    """`seconds`, or less when the budget leaves less (keeping `reserve` seconds for the work
    after: storing a plan, writing the answer); never below 0."""
    left = remaining()
    if left is None:
        return seconds
    return max(0.0, min(seconds, left - reserve))
