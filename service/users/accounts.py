"""What the token check reads of an account, as one prebuilt Core statement: every
authenticated request runs it (or, on the visit fast path, reads it within its own first
statement), so it skips the ORM's identity map and statement building."""

import functools

from sqlalchemy import bindparam, select

from service.users.models import User


@functools.cache
def account_by_id():
    """username, role, unit_id, cadre_id, active and token_version of `user_id`. A cadre
    account's unit_id follows its cadre when the cadre moves (cadres/services.update_cadre),
    so the one table answers."""
    users = User.__table__
    return select(users.c.username, users.c.role, users.c.unit_id, users.c.cadre_id,
                  users.c.active, users.c.token_version).where(
        users.c.id == bindparam("user_id"))
