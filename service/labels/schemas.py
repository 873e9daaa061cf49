"""The labels' payload: an object per enum whose members are exactly its codes."""

import marshmallow as ma
from marshmallow import fields

from service.labels.table import LABELS


def _enum_schema(enum: str, codes: dict[str, str]) -> type[ma.Schema]:
    name = "".join(part.title() for part in enum.split("_")) + "Labels"
    return ma.Schema.from_dict(
        {code: fields.String(required=True, metadata={"example": text})
         for code, text in codes.items()}, name=name)


Labels = ma.Schema.from_dict(
    {enum: fields.Nested(_enum_schema(enum, codes), required=True)
     for enum, codes in LABELS.items()}, name="Labels")
Labels.__doc__ = ("Every enum the API uses: {enum: {code: label}}, in Chinese unless the "
                  "request prefers English (Accept-Language: en).")
