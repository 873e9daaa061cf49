"""Publication payloads."""

from marshmallow import fields, validate

from service.api import MONTH, Id, ListQuery, Name, Sort, StrictSchema, envelope
from service.reports.schemas import DisclosureOut


class PublishIn(StrictSchema):
    village_id = Id(required=True)
    month = fields.String(required=True, validate=MONTH, metadata={"example": "2026-10"})
    correction_reason = Name(500, metadata={
        "description": "Required to publish a village and month again, as a corrected version. "
                       "Kept for the county's file (the audit trail), never published: the "
                       "printed page states that the reason is on file"})


class DisclosureQuery(ListQuery):
    sort = Sort("month", "village_id", "published_at", "seq", "id")
    village_id = Id()
    month = fields.String(validate=MONTH)


class DisclosureFormat(StrictSchema):
    class Meta:
        unknown = "exclude"

    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv", "html")))


class Correction(StrictSchema):
    of_sha256 = fields.String(required=True, metadata={
        "description": "The publication this one corrects (its reason is not public)"})


class Document(StrictSchema):
    """Exactly what was hashed: sha256 = SHA-256 of its canonical JSON."""

    content = fields.Nested(DisclosureOut, required=True)
    village_id = fields.Integer(required=True)
    month = fields.String(required=True)
    revision = fields.Integer(required=True)
    published_at = fields.String(required=True)
    previous_sha256 = fields.String(required=True, allow_none=True)
    correction = fields.Nested(Correction, required=True, allow_none=True)


class DisclosureSummaryOut(StrictSchema):
    id = fields.Integer(required=True)
    seq = fields.Integer(required=True, metadata={"description": "Place in the county's chain"})
    village_id = fields.Integer(required=True)
    month = fields.String(required=True)
    revision = fields.Integer(required=True)
    corrects_id = fields.Integer(required=True, allow_none=True)
    published_at = fields.DateTime(required=True)
    sha256 = fields.String(required=True)
    previous_sha256 = fields.String(required=True, allow_none=True)


class DisclosurePublished(DisclosureSummaryOut):
    document = fields.Nested(Document, required=True)


DisclosurePage = envelope(DisclosureSummaryOut, "DisclosurePage")


class Break(StrictSchema):
    id = fields.Integer(required=True, allow_none=True)
    seq = fields.Integer(required=True)
    reason = fields.String(required=True)


class VerifyOut(StrictSchema):
    id = fields.Integer(required=True)
    valid = fields.Boolean(required=True)
    checked = fields.Integer(required=True, metadata={"description": "Publications rechecked"})
    sha256 = fields.String(required=True)
    broken_at = fields.Nested(Break, required=True, allow_none=True)
