"""Import every model so the metadata is complete (Alembic and the app rely on this)."""

from service.assignments.models import VillageAssignment
from service.audit import recorder  # noqa: F401  (audit events are written on every flush)
from service.audit.models import AuditEvent
from service.cadres.models import Cadre
from service.contacts.models import ContactPoint, PartyOrganization
from service.demands.models import Demand, DemandTransition
from service.disclosures.models import Disclosure
from service.evaluation.models import EvaluationRow, EvaluationSnapshot
from service.history import tracking  # noqa: F401  (versions are written on every flush)
from service.history.models import CadreVersion, HouseholdVersion, UnitVersion
from service.households.models import Household, HouseholdNeed
from service.inspections.models import HouseholdCheck, Inspection
from service.pairings.models import Pairing
from service.places.models import Township, Village
from service.planner.models import PairingPlan
from service.tasks.models import Task, TaskTransition
from service.units.models import Unit
from service.users.models import User
from service.visits.models import Visit, VisitRevision

__all__ = [
    "AuditEvent",
    "Cadre",
    "CadreVersion",
    "Disclosure",
    "EvaluationRow",
    "EvaluationSnapshot",
    "HouseholdCheck",
    "HouseholdVersion",
    "Inspection",
    "UnitVersion",
    "ContactPoint",
    "Demand",
    "DemandTransition",
    "Household",
    "HouseholdNeed",
    "Pairing",
    "PairingPlan",
    "PartyOrganization",
    "Task",
    "TaskTransition",
    "Township",
    "Unit",
    "User",
    "Village",
    "VillageAssignment",
    "Visit",
    "VisitRevision",
]
