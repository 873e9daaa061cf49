"""A month published in one call, and where every village stands for a month (SPEC §15).

A village is due for a month when a unit held it on some day of that month (a village no unit
held has nothing to disclose: `no_unit`); it is `published` once a publication of that village
and month exists (its latest revision is shown), else `unpublished`.

Publishing a month goes village by village through the one publication a single village takes
(services.publish: the same document, hash and place in the county's chain), and each village
is committed on its own. So the chain lock is held for one village at a time (a clerk
publishing a single village waits for one village, not for the county), and whatever cuts a
call short — the request's time budget (service/deadline.py), a dropped connection — every
village published before it stays published and a second call publishes only what is still
unpublished, continuing where the first stopped. The disclosures are built a batch of villages
at a time (the facts of a batch read together, each village's document as the single
publication builds it) and published one by one; before each batch and each village the call
checks that its budget leaves room for one more (twice the slowest so far, and a second); when
it does not, it stops and lists the villages it did not reach as `pending`. A village whose
publication is refused is listed under `failed` with its problem and costs the others nothing;
one that another publisher published meanwhile is listed under `already`.
"""

import time
from collections.abc import Callable

from sqlalchemy import exists, select

from service import deadline, scope
from service.assignments.models import VillageAssignment
from service.context import Context
from service.disclosures.models import Disclosure
from service.disclosures.rules import AlreadyPublished
from service.disclosures.services import publish
from service.exceptions import DomainError, ValidationFailed
from service.messages import _
from service.places.models import Township, Village
from service.reports.disclosure import Month, build_disclosures

STATUSES = ("published", "unpublished", "no_unit")
# Seconds kept free of the request's budget besides twice the slowest step so far: the
# answer still has to be written.
RESERVE_SECONDS = 1.0
# Villages whose disclosures are built together: one village's statements read the facts of
# this many (about 250 households each, so the longest list of ids stays near 5,000).
BATCH = 20


def _held_in(month: Month, unit_id: int | None = None):
    """A unit (or, with `unit_id`, that unit) held the village on some day of the month."""
    held = exists().where(VillageAssignment.village_id == Village.id,
                          *month.overlaps(VillageAssignment.started_on,
                                          VillageAssignment.ended_on))
    return held if unit_id is None else held.where(VillageAssignment.unit_id == unit_id)


def month_villages(ctx: Context, month: Month, args: dict) -> list[dict]:
    """Every village of the caller's scope and the filters (`township_id`, `unit_id`: the
    villages that unit held in the month; a unit admin's are pinned to its unit) in township
    and village code order, with its status for the month."""
    args = scope.pinned_to_own_unit(ctx.caller, args,
                                    _("A unit admin sees its own unit's villages only."))
    stmt = (select(Village.id, Village.code, Village.name, Village.township_id,
                   Township.name.label("township_name"), _held_in(month).label("held"))
            .join(Township, Township.id == Village.township_id)
            .order_by(Township.code, Village.code))
    if args.get("township_id") is not None:
        stmt = stmt.where(Village.township_id == args["township_id"])
    if args.get("unit_id") is not None:
        stmt = stmt.where(_held_in(month, args["unit_id"]))
    villages = ctx.session.execute(stmt).all()
    latest: dict[int, tuple] = {}
    for row in ctx.session.execute(
            select(Disclosure.village_id, Disclosure.id, Disclosure.sha256,
                   Disclosure.revision, Disclosure.published_at)
            .where(Disclosure.month == month.name).order_by(Disclosure.revision)):
        latest[row.village_id] = row  # the highest revision comes last
    out = []
    for v in villages:
        shown = latest.get(v.id)
        status = "published" if shown else "unpublished" if v.held else "no_unit"
        out.append({"village_id": v.id, "village_code": v.code, "village_name": v.name,
                    "township_id": v.township_id, "township_name": v.township_name,
                    "status": status,
                    "disclosure_id": shown.id if shown else None,
                    "sha256": shown.sha256 if shown else None,
                    "revision": shown.revision if shown else None,
                    "published_at": shown.published_at if shown else None})
    return out


def month_status(ctx: Context, month: Month, args: dict) -> dict:
    """{month, totals, villages}: every village in scope with its status for the month."""
    villages = month_villages(ctx, month, args)
    totals = {"villages": len(villages), **dict.fromkeys(STATUSES, 0)}
    for v in villages:
        totals[v["status"]] += 1
    return {"month": month.name, "totals": totals, "villages": villages}


def _room_for(seconds: float) -> bool:
    """Whether the request's budget leaves room for work that took up to `seconds` before
    (twice that, and a second for the answer); always, outside a request."""
    left = deadline.remaining()
    return left is None or left > RESERVE_SECONDS + 2 * seconds


def publish_month(ctx: Context, month: Month, township_id: int | None,
                  commit: Callable[[], None]) -> dict:
    """Publish every unpublished village of the county (or township) that a unit held in the
    month, each committed by `commit` as soon as it is published: {month, published, already,
    failed, pending}; `failed` items carry the refusal (`error`), for the caller to render.

    The villages' disclosures are built BATCH at a time (build_disclosures: the statements of
    one village's, each reading the batch's facts) and each is then published as the single
    publication publishes it."""
    if not month.complete:
        raise ValidationFailed({"month": [_("has not ended yet; publish it once it is over")]})
    if township_id is not None:
        scope.reference(ctx.session, ctx.caller, Township, township_id, "township_id",
                        "township")
    out: dict = {"month": month.name, "published": [], "already": [], "failed": [],
                 "pending": []}
    due = []
    for v in month_villages(ctx, month, {"township_id": township_id}):
        if v["status"] == "published":
            out["already"].append({"village_id": v["village_id"],
                                   "disclosure_id": v["disclosure_id"]})
        elif v["status"] == "unpublished":
            due.append(v["village_id"])
    commit()  # nothing written yet: the read ends before the first village takes the lock
    slowest_batch = slowest = 0.0
    for start in range(0, len(due), BATCH):
        if not _room_for(slowest_batch):
            out["pending"] = [{"village_id": v} for v in due[start:]]
            break
        began = time.monotonic()
        batch = due[start:start + BATCH]
        contents = build_disclosures(ctx, batch, month)
        slowest_batch = max(slowest_batch, time.monotonic() - began)
        for n, village_id in enumerate(batch):
            if not _room_for(slowest):
                out["pending"] = [{"village_id": v} for v in due[start + n:]]
                return out
            began = time.monotonic()
            _publish_one(ctx, village_id, month, contents.get(village_id), out)
            commit()
            slowest = max(slowest, time.monotonic() - began)
    return out


def _publish_one(ctx: Context, village_id: int, month: Month, content: dict | None,
                 out: dict) -> None:
    """Publish one village in a savepoint, noting in `out` what became of it."""
    try:
        with ctx.session.begin_nested():
            row = publish(ctx, village_id, month, None, content)
        out["published"].append({"village_id": village_id, "disclosure_id": row.id})
    except AlreadyPublished as refused:  # another publisher was first
        out["already"].append({"village_id": village_id,
                               "disclosure_id": refused.extra["disclosure_id"]})
    except deadline.RequestTimedOut:
        raise  # what was committed stays; the answer is 503 request_timeout
    except DomainError as refused:
        out["failed"].append({"village_id": village_id, "error": refused})
