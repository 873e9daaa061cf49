"""Townships and villages: reads open to every role, writes for the county admin."""

from sqlalchemy import select

from service.api import paginate
from service.assignments.models import VillageAssignment
from service.errors import HasDependents, ValidationFailed
from service.households.models import Household
from service.places.models import Township, Village
from service.records import apply_changes, delete_unless_used
from service.scope import get_or_404, held_village_ids
from service.unique import flush_unique


def list_townships(session, args: dict) -> dict:
    """Townships by code, optionally by name."""
    stmt = select(Township).order_by(Township.code)
    if args.get("q"):
        stmt = stmt.where(Township.name.icontains(args["q"], autoescape=True))
    return paginate(session, stmt, args)


def create_township(session, data: dict) -> Township:
    """Add a township."""
    township = Township(**data)
    session.add(township)
    flush_unique(session, "townships")
    session.commit()
    return township


def update_township(session, township_id: int, changes: dict) -> Township:
    """Edit a township."""
    township = get_or_404(session, Township, township_id, "township")
    if changes.get("code", township.code) != township.code and session.scalar(
            select(Village.id).where(Village.township_id == township.id).limit(1)):
        # Village codes embed the township code; a change must come with their recoding.
        raise HasDependents("Its villages' codes start with the current code; recode or move "
                            "them first.", dependents=["villages"])
    apply_changes(township, changes)
    flush_unique(session, "townships")
    session.commit()
    return township


def delete_township(session, township_id: int) -> None:
    """Delete a township that has no villages."""
    township = get_or_404(session, Township, township_id, "township")
    delete_unless_used(session, township, [("villages", Village.township_id == township.id)])


def _check_code_prefix(session, code: str | None, township_id: int) -> None:
    township = session.get(Township, township_id)
    if township is None:
        raise ValidationFailed({"township_id": [f"no township with id {township_id}"]})
    if code is not None and not code.startswith(township.code):
        raise ValidationFailed(
            {"code": [f"must start with its township's code {township.code}"]}
        )


def list_villages(session, args: dict) -> dict:
    """Villages by code, with filters."""
    stmt = select(Village).order_by(Village.code)
    if args.get("township_id") is not None:
        stmt = stmt.where(Village.township_id == args["township_id"])
    if args.get("unit_id") is not None:
        stmt = stmt.where(Village.id.in_(held_village_ids(args["unit_id"])))
    if args.get("q"):
        stmt = stmt.where(Village.name.icontains(args["q"], autoescape=True))
    return paginate(session, stmt, args)


def create_village(session, data: dict) -> Village:
    """Add a village under its township."""
    _check_code_prefix(session, data["code"], data["township_id"])
    village = Village(**data)
    session.add(village)
    flush_unique(session, "villages")
    session.commit()
    return village


def update_village(session, village_id: int, changes: dict) -> Village:
    """Edit a village."""
    village = get_or_404(session, Village, village_id, "village")
    _check_code_prefix(session, changes.get("code", village.code),
                       changes.get("township_id", village.township_id))
    apply_changes(village, changes)
    flush_unique(session, "villages")
    session.commit()
    return village


def delete_village(session, village_id: int) -> None:
    """Delete a village with no households and no assignment history."""
    village = get_or_404(session, Village, village_id, "village")
    delete_unless_used(session, village, [
        ("households", Household.village_id == village.id),
        ("village assignments", VillageAssignment.village_id == village.id),
    ])
