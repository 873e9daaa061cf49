"""Publishing a village's month: freeze the disclosure, hash it, chain it, never change it."""

import json

from sqlalchemy import select, text

from service import scope
from service.audit.recorder import mark
from service.context import Context
from service.disclosures import rules
from service.disclosures.models import Disclosure
from service.exceptions import ValidationFailed
from service.listing import Listing
from service.messages import _
from service.reports.disclosure import Month, build_disclosure

# Any constant: the key of the county's one chain of publications.
_CHAIN_LOCK = 0x5B8D_0001


def _lock_chain(session) -> None:
    """Publications join the chain one at a time: each reads the chain's head and appends to
    it. PostgreSQL holds a transaction-scoped advisory lock; SQLite's write transactions
    (BEGIN IMMEDIATE) are already one at a time."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK})


def _last(session):
    return session.execute(select(Disclosure.seq, Disclosure.sha256)
                           .order_by(Disclosure.seq.desc()).limit(1)).first()


def publish(ctx: Context, village_id: int, month: Month, reason: str | None,
            content: dict | None = None) -> Disclosure:
    """Freeze the month's disclosure as the county's next link; a second publication of the
    same village and month must be a correction with a reason. `content` is the disclosure
    when it was built beforehand (a month's publication builds its villages a batch at a
    time, service/disclosures/months.py); else it is built here.

    The reason is staff free text: it is stored on the row (and so in the publish audit event)
    for the county's file, but neither hashed into the public document nor shown publicly; the
    printed page says so instead (rules.correction_statement)."""
    session, now = ctx.session, ctx.clock.now()
    if not month.complete:
        raise ValidationFailed({"month": [_("has not ended yet; publish it once it is over")]})
    _lock_chain(session)
    latest = session.scalars(select(Disclosure).where(
        Disclosure.village_id == village_id, Disclosure.month == month.name)
        .order_by(Disclosure.revision.desc()).limit(1)).first()
    if latest is not None and not reason:
        raise rules.AlreadyPublished(_(
            "Village %(village_id)s %(month)s is published (disclosure %(id)s); send "
            "correction_reason to publish a corrected version.", village_id=village_id,
            month=month.name, id=latest.id), disclosure_id=latest.id)
    if latest is None and reason:
        raise ValidationFailed({"correction_reason": [_("nothing published yet to correct")]})
    if content is None:
        content = build_disclosure(ctx, village_id, month)
    last = _last(session)
    document = {
        "content": content, "village_id": village_id, "month": month.name,
        "revision": latest.revision + 1 if latest else 1,
        "published_at": now.isoformat(timespec="seconds"),
        "previous_sha256": last.sha256 if last else None,
        "correction": {"of_sha256": latest.sha256} if latest else None,
    }
    row = Disclosure(
        seq=(last.seq if last else 0) + 1, village_id=village_id, month=month.name,
        revision=document["revision"], corrects_id=latest.id if latest else None,
        correction_reason=reason, published_at=now, published_by=ctx.caller.user_id,
        document=rules.canonical_json(document), sha256=rules.sha256_of(document),
        previous_sha256=document["previous_sha256"])
    session.add(row)
    mark(session, row, "publish")
    # The chain lock makes a lost race impossible; should one happen anyway, the unique seq and
    # (village, month, revision) refuse it and the request fails whole (409), never half-written.
    session.flush()
    return row


def get_disclosure(ctx: Context, disclosure_id: int) -> Disclosure:
    """One publication, or 404."""
    return scope.find(ctx.session, ctx.caller, Disclosure, disclosure_id, _("disclosure"))


def present(row: Disclosure, with_document: bool = True) -> dict:
    """A publication as the API shows it (to anyone): its stored document parsed back, and no
    correction reason (staff free text, SPEC §9)."""
    out = {"id": row.id, "seq": row.seq, "village_id": row.village_id, "month": row.month,
           "revision": row.revision, "corrects_id": row.corrects_id,
           "published_at": row.published_at,
           "sha256": row.sha256, "previous_sha256": row.previous_sha256}
    if with_document:
        out["document"] = json.loads(row.document)
    return out


def printable(ctx: Context, row: Disclosure, base_url: str) -> tuple[dict, dict]:
    """A publication's frozen content, and what its printed page adds: the revision, a
    correction notice, the start of its sha256 and the public address that verifies it."""
    document = json.loads(row.document)
    published_on = row.published_at.astimezone(ctx.settings.county_zone).date()
    correction = document.get("correction")
    return document["content"], {
        "id": row.id, "revision": row.revision, "published_on": published_on.isoformat(),
        "sha256_prefix": row.sha256[:rules.PRINTED_SHA256],
        "verify_url": f"{base_url.rstrip('/')}/api/v1/disclosures/{row.id}/verify",
        "correction": rules.correction_statement(
            row.revision, published_on, correction.get("of_sha256")) if correction else None}


def list_disclosures(ctx: Context, args: dict) -> Listing:
    """Publications, newest first, by village and month."""
    stmt = scope.within(select(Disclosure), ctx.caller, Disclosure).order_by(
        Disclosure.seq.desc())
    for key in ("village_id", "month"):
        if args.get(key) is not None:
            stmt = stmt.where(getattr(Disclosure, key) == args[key])
    return Listing(stmt, present=lambda rows: [present(r, with_document=False) for r in rows])


def verify(ctx: Context, disclosure_id: int) -> dict:
    """Recompute every hash and link from the first publication up to this one."""
    session = ctx.session
    target = get_disclosure(ctx, disclosure_id)
    links = [{"id": r.id, "seq": r.seq, "document": r.document, "sha256": r.sha256,
              "previous_sha256": r.previous_sha256}
             for r in session.execute(
                 select(Disclosure.id, Disclosure.seq, Disclosure.document, Disclosure.sha256,
                        Disclosure.previous_sha256)
                 .where(Disclosure.seq <= target.seq).order_by(Disclosure.seq))]
    broken = rules.check_chain(links)
    if broken is None and [link["seq"] for link in links] != list(range(1, len(links) + 1)):
        missing = next(n for n, link in enumerate(links, start=1) if link["seq"] != n)
        broken = {"id": None, "seq": missing, "reason": "a publication is missing"}
    return {"id": target.id, "valid": broken is None, "checked": len(links),
            "sha256": target.sha256, "broken_at": broken}
