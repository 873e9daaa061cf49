"""Messages a person reads (problem titles and details, field messages, import problems): written
in English in the code, `_("No village %(village_id)s.", village_id=3)`, and translated where
they are shown, in the language the reader asked for (SPEC §15: Chinese unless a request says
`Accept-Language: en`). The translations live in the package's catalogs
(service/translations/<locale>/LC_MESSAGES/messages.po, compiled to .mo; babel.cfg says how to
extract and compile them).

Plain Python, no Flask: rules raise exceptions that carry messages, and only the HTTP side
(service/errors.py) or the command line chooses the language. A message is a `str` whose value
is its English, so logs, `str(exc)` and code that only passes it along see plain text;
`localize` turns every message inside an answer into the reader's language.
"""

import functools
from collections.abc import Mapping
from pathlib import Path

import marshmallow
from babel.support import NullTranslations, Translations
from marshmallow import fields, validate

# The package's catalogs: <locale>/LC_MESSAGES/messages.mo (shipped in the wheel).
CATALOGS = Path(__file__).resolve().parent / "translations"
DEFAULT_LOCALE = "zh"


@functools.cache
def catalog(locale: str = DEFAULT_LOCALE) -> NullTranslations:
    """The compiled catalog of a locale, read once (no Flask: for the command line, jobs and
    tests; a request's own comes from flask-babel, service/language.py)."""
    return Translations.load(str(CATALOGS), [locale])


class Message(str):
    """An English message and the values it names; the text is the English with the values in.
    Values are named (`%(name)s`), so a translation may place them in its own order."""

    msgid: str
    params: dict

    def __new__(cls, msgid: str, /, **params):
        self = super().__new__(cls, _fill(msgid, params, msgid))
        self.msgid, self.params = msgid, params
        return self

    def format(self, *args, **values):
        """marshmallow fills its messages with str.format(min=…, input=…): the values join the
        message's own instead (the message names with %(min)s those it shows)."""
        return Message(self.msgid, **{**self.params, **values})

    def __reduce__(self):  # marshmallow deep-copies fields with their messages
        return _rebuild, (self.msgid, self.params)

    def render(self, translations) -> str:
        """The message in the language of `translations` (a gettext translations object)."""
        values = {k: localize(v, translations) for k, v in self.params.items()}
        return _fill(translations.gettext(self.msgid), values, self.msgid)


def _rebuild(msgid: str, params: dict) -> "Message":
    return Message(msgid, **params)


def _fill(text: str, values: dict, msgid: str) -> str:
    """`text` with its values in. A translation that does not fit its values (the catalog test
    prevents it) falls back to the English rather than fail the answer; a message whose values
    are not all given yet (marshmallow's Range names its words before its bounds) stays as it
    is."""
    if not values:
        return text
    for candidate in (text, msgid):
        try:
            return candidate % values
        except (KeyError, ValueError, TypeError):
            continue
    return msgid


def _(msgid: str, /, **values) -> Message:
    """Mark an English message for translation, with the values it names."""
    return Message(msgid, **values)


def N_(text: str) -> str:
    """Mark a word for the catalog without changing it (a label in Chinese, which the English
    catalog translates)."""
    return text


def localize(value, translations):
    """`value` with every message in it (in dicts, lists and tuples, keys left alone) in the
    language of `translations`."""
    if isinstance(value, Message):
        return value.render(translations)
    if isinstance(value, Mapping):
        return {k: localize(v, translations) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [localize(v, translations) for v in value]
    return value


def install_library_messages() -> None:
    """marshmallow's own messages as messages of ours, so that a 422 names its
    fields' problems in the reader's language too. A field copies its class's messages when it
    is made, that is when its schema module is imported: service/__init__.py calls this first.
    Each message is set once here, not matched against its English afterwards."""
    for cls, messages in _FIELD_MESSAGES.items():
        cls.default_error_messages = {**cls.default_error_messages, **messages}
    for cls, attributes in _VALIDATOR_MESSAGES.items():
        for name, message in attributes.items():
            setattr(cls, name, message)
    marshmallow.Schema._default_error_messages = {
        "type": _("Invalid input type."), "unknown": _("Unknown field.")}


_FIELD_MESSAGES = {
    fields.Field: {"required": _("Missing data for required field."),
                   "null": _("Field may not be null."),
                   "validator_failed": _("Invalid value.")},
    fields.Nested: {"type": _("Invalid type.")},
    fields.List: {"invalid": _("Not a valid list.")},
    fields.Tuple: {"invalid": _("Not a valid tuple.")},
    fields.String: {"invalid": _("Not a valid string."),
                    "invalid_utf8": _("Not a valid UTF-8 string.")},
    fields.UUID: {"invalid_uuid": _("Not a valid UUID.")},
    fields.Number: {"invalid": _("Not a valid number."), "too_large": _("Number too large.")},
    fields.Integer: {"invalid": _("Not a valid integer.")},
    fields.Decimal: {"special": _("Special numeric values (nan or infinity) are not "
                                  "permitted.")},
    fields.Float: {"special": _("Special numeric values (nan or infinity) are not "
                                "permitted.")},
    fields.Boolean: {"invalid": _("Not a valid boolean.")},
    fields.DateTime: {"invalid": _("Not a valid date and time."),
                      "invalid_awareness": _("Not a valid date and time with a time zone.")},
    fields.Date: {"invalid": _("Not a valid date.")},
    fields.TimeDelta: {"invalid": _("Not a valid period of time.")},
    fields.Mapping: {"invalid": _("Not a valid mapping type.")},
    fields.Url: {"invalid": _("Not a valid URL.")},
    fields.Email: {"invalid": _("Not a valid email address.")},
    fields.Enum: {"unknown": _("Must be one of: %(choices)s.")},
}

_VALIDATOR_MESSAGES = {
    validate.Length: {
        "message_min": _("Shorter than minimum length %(min)s."),
        "message_max": _("Longer than maximum length %(max)s."),
        "message_all": _("Length must be between %(min)s and %(max)s."),
        "message_equal": _("Length must be %(equal)s."),
    },
    validate.Range: {
        "message_min": _("Must be %(min_op)s %(min)s."),
        "message_max": _("Must be %(max_op)s %(max)s."),
        "message_all": _("Must be %(min_op)s %(min)s and %(max_op)s %(max)s."),
        "message_gte": _("greater than or equal to"),
        "message_gt": _("greater than"),
        "message_lte": _("less than or equal to"),
        "message_lt": _("less than"),
    },
    validate.OneOf: {"default_message": _("Must be one of: %(choices)s.")},
    validate.Regexp: {"default_message": _("String does not match expected pattern.")},
    validate.Equal: {"default_message": _("Must be equal to %(other)s.")},
    validate.URL: {"default_message": _("Not a valid URL.")},
    validate.Email: {"default_message": _("Not a valid email address.")},
    validate.ContainsOnly: {"default_message": _(
        "One or more of the choices you made was not in: %(choices)s.")},
    validate.NoneOf: {"default_message": _(
        "One or more of the choices you made was in: %(values)s.")},
}
