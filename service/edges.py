"""What may come in at all (SPEC §9 "any input"): one place that reads a JSON body and looks
at every value a request carries, before any of it reaches Python arithmetic, a password hash,
a log line or the database.

Refused here, whatever the endpoint:
- a body that is not UTF-8 or not JSON, nests deeper than MAX_DEPTH, has an object of more than
  MAX_MEMBERS members, an array of more than MAX_ITEMS items or more than MAX_VALUES values in
  all, or spells NaN, Infinity or a number with more digits than any record holds (400
  `malformed_body`);
- NUL characters (PostgreSQL cannot store them) and lone surrogates (no encoding can write them)
  in any string, integers past 64 bits and numbers too large to be finite, in bodies, query
  parameters and path parameters (422 `validation_failed`, naming where).

Dates and instants are range-checked by their fields (service/api.py `Day`, `Moment`), ids by
`Id` and the URL converter; the sizes of bodies by MAX_CONTENT_LENGTH (413). No Flask here.
"""

import json
import math
import re

from service.exceptions import DomainError, ValidationFailed
from service.messages import _

MAX_DEPTH = 32  # our deepest body (a batch of visits with a location) is 4 levels
MAX_INTEGER = 2**63 - 1
MAX_ID = 2**31 - 1  # PostgreSQL integer keys; larger values can name no record
ID_DIGITS = r"[1-9][0-9]{0,9}"  # an id as text (URL paths, token subjects), before MAX_ID
# What a name may carry around it: ASCII spaces, tabs and line ends, the no-break space and the
# ideographic space of Chinese input methods (the API's names and the roster's cells alike). One
# explicit set, because Python's and JavaScript's `\\s` differ at the edges.
BLANKS = " \t\n\r\f\v\u00a0\u3000"
BLANKS_CLASS = r" \t\n\r\f\v\u00a0\u3000"  # the same set, as a regex class

# What a name may not carry inside (SPEC §9; names reach public notices and printed cards):
# control characters (C0, DEL, C1), line and paragraph separators, and the bidirectional
# controls that reorder what is printed around them (U+202E turns "张三" into "三张").
_NAME_BAD = (r"\u0000-\u001f\u007f-\u009f\u2028\u2029\u061c\u200e\u200f"
             r"\u202a-\u202e\u2066-\u2069")
# Characters that show nothing on their own (zero-width, fillers, soft hyphen, odd spaces): a
# name may hold them, but not only them.
_NAME_INVISIBLE = (r"\u00ad\u034f\u115f\u1160\u1680\u17b4\u17b5\u180e\u2000-\u200d"
                   r"\u202f\u205f-\u2064\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0")
# Blanks around it (stripped), then a visible character, then anything allowed that ends on a
# non-blank. Every star meets a class it shares nothing with, or one character it must match:
# linear on any input, in Python and in JavaScript alike.
NAME_PATTERN = (f"^[{BLANKS_CLASS}]*[^{_NAME_BAD}{BLANKS_CLASS}{_NAME_INVISIBLE}]"
                f"(?:[^{_NAME_BAD}]*[^{_NAME_BAD}{BLANKS_CLASS}])?[{BLANKS_CLASS}]*$")
NAME_ERROR = _("must have a visible character, and no control, line-separator or "
               "bidirectional-override characters")
_NAME = re.compile(NAME_PATTERN)


def is_printable_name(value: str) -> bool:
    """True for a name as NAME_PATTERN admits it (the API's names and the roster's cells)."""
    return _NAME.fullmatch(value) is not None


_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")
_NUMBER_DIGITS = 40
# No object of ours has more than a few dozen members (a batch's items are a list): a body
# with thousands of keys is refused as it is parsed, before any schema lists them one by one.
MAX_MEMBERS = 1000
# Nor an array longer than a batch (500 visits), nor more values in all than a full batch
# holds: counted right after parsing, stopping at the first excess, so an 8 MB body of four
# million tiny values costs a few milliseconds to refuse, not seconds to walk.
MAX_ITEMS = 1000
MAX_VALUES = 200_000
# A field's name as an answer repeats it: a key is cut to this many characters.
_NAME_CHARS = 64


class MalformedBody(DomainError):
    status, code, title = 400, "malformed_body", _("Malformed request")


def _constant(name: str):
    raise ValueError(_("%(name)s is not a JSON number", name=name))


def _float(text: str) -> float:
    if len(text) > _NUMBER_DIGITS:
        raise ValueError(_("number too long"))
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(_("number out of range"))
    return value


def _int(text: str) -> int:
    if len(text) > _NUMBER_DIGITS:  # before int(): parsing 4,300 digits is itself a cost
        raise ValueError(_("number too long"))
    return int(text)


def _object(pairs: list) -> dict:
    if len(pairs) > MAX_MEMBERS:
        raise ValueError(_("an object has more than %(most)s members", most=MAX_MEMBERS))
    return dict(pairs)


def parse_json(data: bytes) -> object:
    """The body as JSON, or MalformedBody saying why (never the body itself)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MalformedBody(_("The body is not UTF-8.")) from None
    try:
        body = json.loads(text, parse_constant=_constant, parse_float=_float, parse_int=_int,
                          object_pairs_hook=_object)
    except RecursionError:
        raise MalformedBody(_("The body nests deeper than %(levels)s levels.",
                              levels=MAX_DEPTH)) from None
    except ValueError as exc:  # JSONDecodeError is one
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else exc.args[0]
        raise MalformedBody(_("The body is not valid JSON: %(reason)s.", reason=reason)) \
            from None
    _within_bounds(body)
    return body


def _within_bounds(body: object) -> None:
    """MalformedBody at the first array longer than MAX_ITEMS or value past MAX_VALUES."""
    stack, seen = [body], 0
    while stack:
        item = stack.pop()
        seen += 1
        if seen > MAX_VALUES:
            raise MalformedBody(_("The body holds more than %(most)s values.",
                                  most=MAX_VALUES))
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            if len(item) > MAX_ITEMS:
                raise MalformedBody(_("An array of the body has more than %(most)s items.",
                                      most=MAX_ITEMS))
            stack.extend(item)


def text_problem(value: str) -> str | None:
    """Why a string cannot be taken, or None."""
    found = _BAD_TEXT.search(value)
    if found is None:
        return None
    if found.group() == "\x00":
        return _("must not contain NUL characters")
    return _("must not contain lone surrogates (text that is not Unicode)")


def offences(value: object, path: str = "", skip: frozenset[str] = frozenset()) -> dict:
    """{where: [why]} for every value in a parsed body (or a query) that no field may take;
    raises MalformedBody when it nests deeper than MAX_DEPTH. `skip` names top-level members
    whose items are checked one by one elsewhere (a batch's items: one bad item must not cost
    the others, SPEC §5)."""
    found: dict[str, list[str]] = {}
    stack = [(value, path, 0)]
    while stack:
        item, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise MalformedBody(_("The body nests deeper than %(levels)s levels.",
                                  levels=MAX_DEPTH))
        if isinstance(item, str):
            why = text_problem(item)
        elif isinstance(item, bool) or item is None:
            why = None
        elif isinstance(item, int):
            why = None if -MAX_INTEGER - 1 <= item <= MAX_INTEGER else _("number out of range")
        elif isinstance(item, float):
            why = None if math.isfinite(item) else _("number out of range")
        elif isinstance(item, dict):
            why = None
            for key, inner in item.items():
                key = cut(str(key))
                name = f"{where}.{key}" if where else key
                if depth == 0 and key in skip:
                    continue
                if text_problem(key):
                    found.setdefault(printable(name), []).append(
                        _("names a field that cannot exist"))
                    continue
                stack.append((inner, name, depth + 1))
        elif isinstance(item, list):
            why = None
            stack.extend((inner, f"{where}.{i}" if where else str(i), depth + 1)
                         for i, inner in enumerate(item))
        else:
            why = None
        if why:
            found.setdefault(printable(where or "_schema"), []).append(why)
    return found


def cut(name: str) -> str:
    """A name a client chose (a key, a query parameter), at most its first _NAME_CHARS."""
    return name[:_NAME_CHARS]


def printable(name: str) -> str:
    """A field name fit to send back: bad characters in a key shown escaped."""
    return _BAD_TEXT.sub(lambda m: f"\\u{ord(m.group()):04x}", name)


def refuse(found: dict) -> None:
    """Raise the 422 for `offences`' findings, if any."""
    if found:
        raise ValidationFailed(dict(sorted(found.items())))
