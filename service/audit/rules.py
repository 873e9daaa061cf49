"""The audit trail's rules (SPEC §11): what an event says about a change, and what it never
says. An event names its record by type and id and lists the fields that changed as
{field: [before, after]}; personal data (ID numbers, phones, incomes, diaries, card codes) and
secrets appear only as "[redacted]", so the trail can be shown to an inspector and kept for ever
without keeping what the records themselves may later have to forget."""

from datetime import date, datetime
from decimal import Decimal

ACTIONS = ("create", "update", "end", "delete", "transition", "publish", "handover", "import",
           "login_failed")

# Tables whose rows are audited, by the record_type their events carry. Rows kept only as
# history of another record (transitions, revisions, versions, checks) are part of that
# record's own event.
RECORD_TYPES = {
    "townships": "township", "villages": "village", "units": "unit", "cadres": "cadre",
    "households": "household", "village_assignments": "village_assignment",
    "pairings": "pairing", "party_organizations": "party_organization",
    "contact_points": "contact_point", "tasks": "task", "demands": "demand", "visits": "visit",
    "inspections": "inspection", "disclosures": "disclosure", "users": "user",
    "pairing_plans": "pairing_plan",
}

REDACTED = "[redacted]"
# Never written into an event, whichever record they belong to: personal data (SPEC §7) and
# secrets. The event still says that the field changed.
REDACTED_FIELDS = frozenset({"id_number", "phone", "income_per_capita", "diary", "help_given",
                             "card_code", "password_hash"})
# Bookkeeping that says nothing the event does not: keys, version counters, stamps, hashes,
# the published document itself (its sha256 is kept), a pairing plan's proposal and stamps
# (its pairings have events of their own when applied), and visits' per-flag columns (their
# `flags` list is kept).
SKIPPED_FIELDS = frozenset({"id", "version", "created_at", "updated_at", "body_hash",
                            "document", "body", "stamps"})
SKIPPED_PREFIXES = ("flag_",)


def record_type_of(table: str) -> str | None:
    """The record_type of a table's rows, or None when the table is not audited."""
    return RECORD_TYPES.get(table)


def audited(field: str) -> bool:
    """True when an event lists this field at all."""
    return field not in SKIPPED_FIELDS and not field.startswith(SKIPPED_PREFIXES)


def shown(field: str, value):
    """A value as an event keeps it: JSON-ready, and personal data redacted."""
    if value is None:
        return None
    if field in REDACTED_FIELDS:
        return REDACTED
    return plain(value)


_AS_IS = frozenset({str, int, float, bool, type(None)})


def plain(value):
    """JSON-ready: dates and times as ISO text, decimals as numbers, tuples as lists."""
    if type(value) in _AS_IS:  # most values: one set lookup (the visit path makes 10 a visit)
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value


def created(values: dict) -> dict:
    """The changes of a new record: every field it was given, from nothing."""
    return {k: [None, shown(k, v)] for k, v in values.items() if audited(k) and v is not None}


def deleted(values: dict) -> dict:
    """The changes of a deleted record: every field it had, to nothing."""
    return {k: [shown(k, v), None] for k, v in values.items() if audited(k) and v is not None}


def changed(before: dict, after: dict) -> dict:
    """The fields whose value moved, each [before, after]."""
    return {k: [shown(k, before.get(k)), shown(k, after[k])] for k in after
            if audited(k) and before.get(k) != after[k]}
