"""Publication payloads."""

from marshmallow import fields, validate

from service.api import MONTH, Id, ListQuery, Name, Sort, StrictSchema, envelope
from service.errors import ProblemSchema
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


# --- a month at once (SPEC §15) --------------------------------------------------------------

MONTH_PATH = {
    "in": "path", "name": "month", "required": True,
    "description": "The month, YYYY-MM (anything else is 422)",
    "schema": {"type": "string", "pattern": MONTH.regex.pattern, "example": "2026-10"},
}


class PublishMonthIn(StrictSchema):
    class Meta(StrictSchema.Meta):
        optional_body = True  # no body: the whole county

    township_id = Id(metadata={"description": "Only this township's villages (else the "
                                              "county's)"})


class MonthQuery(StrictSchema):
    class Meta:
        unknown = "exclude"

    township_id = Id(metadata={"description": "Only this township's villages"})
    unit_id = Id(metadata={"description": "Only the villages this unit held in the month (a "
                                          "unit admin: its own, another is 403)"})


class VillagePublication(StrictSchema):
    village_id = fields.Integer(required=True)
    disclosure_id = fields.Integer(required=True, metadata={
        "description": "The village's publication of the month (its latest revision)"})


class VillageRefused(StrictSchema):
    village_id = fields.Integer(required=True)
    problem = fields.Nested(ProblemSchema, required=True, metadata={
        "description": "Why this village was not published (the others were)"})


class VillagePending(StrictSchema):
    village_id = fields.Integer(required=True)


class PublishMonthOut(StrictSchema):
    """What a month's publication did, village by village."""

    month = fields.String(required=True)
    published = fields.List(fields.Nested(VillagePublication), required=True, metadata={
        "description": "Published by this call"})
    already = fields.List(fields.Nested(VillagePublication), required=True, metadata={
        "description": "Published before (or by another call meanwhile)"})
    failed = fields.List(fields.Nested(VillageRefused), required=True)
    pending = fields.List(fields.Nested(VillagePending), required=True, metadata={
        "description": "Not reached within the request's time budget: each village published "
                       "was committed on its own, so calling again continues with these"})


STATUS_NOTE = ("published: a publication of the month exists (its latest revision is shown); "
               "unpublished: a unit held the village in the month and nothing is published; "
               "no_unit: no unit held the village in the month, so there is nothing to publish")


class MonthVillage(StrictSchema):
    village_id = fields.Integer(required=True)
    village_code = fields.String(required=True)
    village_name = fields.String(required=True)
    township_id = fields.Integer(required=True)
    township_name = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(
        ("published", "unpublished", "no_unit")), metadata={"description": STATUS_NOTE})
    disclosure_id = fields.Integer(required=True, allow_none=True)
    sha256 = fields.String(required=True, allow_none=True)
    revision = fields.Integer(required=True, allow_none=True)
    published_at = fields.AwareDateTime(required=True, allow_none=True)


class MonthTotals(StrictSchema):
    villages = fields.Integer(required=True)
    published = fields.Integer(required=True)
    unpublished = fields.Integer(required=True)
    no_unit = fields.Integer(required=True)


class MonthStatusOut(StrictSchema):
    """Every village of the caller's scope and where it stands for the month."""

    month = fields.String(required=True)
    totals = fields.Nested(MonthTotals, required=True)
    villages = fields.List(fields.Nested(MonthVillage), required=True)
