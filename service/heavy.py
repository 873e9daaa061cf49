"""Heavy requests take a slot (HEAVY_REQUESTS per machine): roster imports, workbook exports,
pairing plans and their apply. Each can keep a core busy for seconds; ten at once would hold
every gunicorn worker and starve the cheap requests (`/healthz` stopped answering). One more
than the slots allow is answered 503 `busy` with Retry-After at once, holding nothing.

A slot is an exclusive `flock` on one of HEAVY_REQUESTS small files under INSTANCE_DIR, so
every worker process of the machine shares the count, and a slot is given back by the
kernel however its holder ends (a killed worker too). No Flask here.
"""

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from service.exceptions import DomainError
from service.messages import _

RETRY_AFTER_SECONDS = 5


class Busy(DomainError):
    status, code, title = 503, "busy", _("The service is busy with other long work")
    retry_after = RETRY_AFTER_SECONDS


@contextlib.contextmanager
def slot(directory: Path, slots: int) -> Iterator[None]:
    """Hold one of `slots` heavy-work slots for the block, or raise Busy at once."""
    directory.mkdir(parents=True, exist_ok=True)
    for number in range(max(1, slots)):
        fd = os.open(directory / f"heavy-{number}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        try:
            yield
        finally:
            os.close(fd)  # closing the descriptor releases its lock
        return
    raise Busy(_("%(slots)s long requests (imports, exports, plans) are running on this "
                 "server; try again in %(seconds)s seconds.", slots=slots,
                 seconds=RETRY_AFTER_SECONDS))
