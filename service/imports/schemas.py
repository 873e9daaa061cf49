"""Import payloads: the uploaded roster and the counts."""

from flask_smorest.fields import Upload
from marshmallow import fields

from service.api import Flag, StrictSchema


class ImportFile(StrictSchema):
    file = Upload(required=True, metadata={
        "description": ".xlsx, or .csv in UTF-8 (with or without BOM) or GB18030"})


class ImportQuery(StrictSchema):
    dry_run = Flag(load_default=False, metadata={
        "description": "true: check every row and count, write nothing"})


class ImportOut(StrictSchema):
    dry_run = fields.Boolean(required=True)
    rows = fields.Integer(required=True, metadata={"description": "Data rows read"})
    created = fields.Integer(required=True)
    updated = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)
    created_ids = fields.List(fields.Integer(), required=True, metadata={
        "description": "The records created, in the file's order (none for a dry run)"})
    updated_ids = fields.List(fields.Integer(), required=True, metadata={
        "description": "The records updated (for a dry run: that would be)"})
