"""Services are plain functions of a context: the command line, imports and the planner call
them with no request and no app around (the review found `update_township` raising "Working
outside of request context")."""

import flask
import pytest

from service.audit.models import AuditEvent
from service.exceptions import PreconditionFailed
from service.places import services as places
from service.units import services as units
from tests import factories


def test_a_township_is_renamed_from_the_command_line(session):
    assert not flask.has_app_context()
    township = factories.township(session)
    ctx = factories.context(session)

    renamed = places.update_township(ctx, township.id, {"name": "新乡"})
    session.flush()

    assert renamed.name == "新乡"
    event = session.query(AuditEvent).filter_by(record_type="township").one()
    assert (event.action, event.user_id, event.actor, event.changes["name"][1]) == (
        "update", None, "cli", "新乡")


def test_a_precondition_is_the_callers_and_runs_before_the_change(session, world):
    ctx = factories.context(session, world.users["county_admin"])

    def stale(record):
        raise PreconditionFailed("changed", current_etag=str(record.version))

    with pytest.raises(PreconditionFailed):
        units.update_unit(ctx, world.units["a"].id, {"name": "改名"}, stale)
    assert session.get(type(world.units["a"]), world.units["a"].id).name != "改名"


def test_a_listing_is_plain_data_the_command_line_can_read_whole(session, world):
    ctx = factories.context(session, world.users["unit_admin"])
    listing = units.list_units(ctx, {})
    assert {u.id for u in listing.all(session)} == {u.id for u in world.units.values()}
