"""The hash chain of published disclosures: canonical JSON, its SHA-256, and checking a chain.

Canonical JSON: keys sorted, UTF-8 (no \\u escapes), no insignificant whitespace
(separators "," and ":"). The hashed document holds the disclosure's content and the
`previous_sha256` of the county's previous publication, so changing any published byte, or
the order of publications, breaks every hash from there on.
"""

import hashlib
import json
from datetime import date

from service.exceptions import Conflict
from service.messages import _

# A printed publication shows this many leading hex digits of its sha256: enough to tell it
# from any other publication by eye, short enough to read out over the phone.
PRINTED_SHA256 = 16


class AlreadyPublished(Conflict):
    code, title = "already_published", _("This village and month are already published")


def canonical_json(document: dict) -> str:
    """The one text a document hashes as."""
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def sha256_of(document: dict) -> str:
    """Hex SHA-256 of the document's canonical JSON in UTF-8."""
    return hashlib.sha256(canonical_json(document).encode("utf-8")).hexdigest()


def check_chain(links: list[dict]) -> dict | None:
    """The first break in a chain of publications in order, or None when it holds.

    Each link: {id, seq, document (stored text), sha256, previous_sha256}.
    """
    previous = None
    for link in links:
        try:
            document = json.loads(link["document"])
        except ValueError:
            return {"id": link["id"], "seq": link["seq"], "reason": "document is not JSON"}
        if sha256_of(document) != link["sha256"]:
            return {"id": link["id"], "seq": link["seq"],
                    "reason": "document does not match its sha256"}
        if document.get("previous_sha256") != previous or link["previous_sha256"] != previous:
            return {"id": link["id"], "seq": link["seq"],
                    "reason": "previous_sha256 does not match the publication before it"}
        previous = link["sha256"]
    return None


def correction_statement(revision: int, corrected_on: date, of_sha256: str | None) -> str:
    """What a corrected publication prints where a reason would go. The admin's reason is free
    text, kept for staff (the publish audit event) and never published (SPEC §9); paper still
    says that it is a correction, which version, of what and when."""
    corrected = f"第{revision - 1}版" + (f"（校验码 {of_sha256[:PRINTED_SHA256]}）"
                                        if of_sha256 else "")
    return (f"更正：本公示为第{revision}版，于{corrected_on.isoformat()}更正{corrected}；"
            "更正原因已存档备查，可拨打监督电话询问。")
