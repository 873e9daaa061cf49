"""What the token check reads of an account, as one prebuilt Core statement: every
authenticated request runs it (or, on the visit fast path, reads it within its own first
statement), so it skips the ORM's identity map and statement building."""

import functools

from sqlalchemy import bindparam, func, select

from service.cadres.models import Cadre
from service.users.models import User


@functools.cache
def account_by_id():
    """username, role, unit_id, cadre_id, active and token_version of `user_id`. A cadre
    account's unit is its cadre's unit now (read in the same statement), not the one the
    cadre had when the account was opened: a cadre who moves takes the login along."""
    users, cadres = User.__table__, Cadre.__table__
    return (select(users.c.username, users.c.role,
                   func.coalesce(cadres.c.unit_id, users.c.unit_id).label("unit_id"),
                   users.c.cadre_id, users.c.active, users.c.token_version)
            .select_from(users.outerjoin(cadres, cadres.c.id == users.c.cadre_id))
            .where(users.c.id == bindparam("user_id")))
