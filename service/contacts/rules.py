"""R7: the contact points (联系点) each leader must hold; reported by coverage, never blocking."""

from service.exceptions import Conflict
from service.messages import _


class ContactPointExists(Conflict):
    code, title = "contact_point_exists", _("The cadre already holds this contact point")


class ContactPointAlreadyEnded(Conflict):
    code, title = "contact_point_already_ended", _("The contact point has already ended")


ORGANIZATION_KINDS = ("village_branch", "non_public_economic", "social_organization")

# What a rank needs: (kind, must the organisation be a weak branch?)
REQUIRED_BY_RANK: dict[str, tuple[tuple[str, bool], ...]] = {
    "county_level": (("village_branch", True), ("non_public_economic", False),
                     ("social_organization", False)),
    "section_chief": (("village_branch", True),),
}


def missing_contact_points(rank: str, held: list[tuple[str, bool]]) -> list[str]:
    """Kinds a leader still lacks, given the (kind, weak) of the organisations it holds now."""
    missing = []
    for kind, must_be_weak in REQUIRED_BY_RANK.get(rank, ()):
        if not any(k == kind and (weak or not must_be_weak) for k, weak in held):
            missing.append(f"weak_{kind}" if must_be_weak else kind)
    return missing
