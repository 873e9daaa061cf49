"""Client-generated ids (SPEC §5): the same id with the same body is a replay, not a new record."""

import hashlib
import json
from datetime import UTC, datetime

from service.exceptions import Conflict
from service.messages import _


class IdConflict(Conflict):
    code, title = "id_conflict", _("This id was already used for a different record")


def canonical_hash(data: dict) -> str:
    """sha256 of a validated body as canonical JSON (sorted keys, instants in UTC)."""
    def plain(value):
        if isinstance(value, datetime):
            return value.astimezone(UTC).isoformat()  # one instant, one spelling
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value if value is None or isinstance(value, (int, float, bool)) else str(value)

    return hashlib.sha256(json.dumps(plain(data), sort_keys=True, ensure_ascii=False)
                          .encode()).hexdigest()
