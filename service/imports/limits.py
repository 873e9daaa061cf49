"""What a roster file may hold (issue 26): the limits an upload through the API and a file
given to the command line are measured against, and the three refusals (413 past a size or row
limit, 422 for a shape no roster has, 422 for what cannot be read safely), each naming the
`limit_name` and `limit` it passed. No Flask, no database."""

from dataclasses import dataclass

from service.exceptions import DomainError
from service.messages import Message, _

MiB = 1 << 20
EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384  # the largest sheet Excel writes (A1:XFD1048576)


@dataclass(frozen=True)
class Limits:
    """What a roster file may hold. A refusal's `limit_name` is the field's name without
    `max_`, and its `limit` the field's value."""

    max_bytes: int  # the file itself
    max_rows: int  # data rows (the header not counted)
    max_cells: int  # cells with a value, and the sheet's area (last row × last column)
    max_inflated_bytes: int  # an .xlsx's members inflated, all together
    max_shared_strings: int  # entries in sharedStrings.xml
    max_shared_strings_bytes: int  # sharedStrings.xml inflated
    max_text_bytes: int  # the sheet's text, a shared string counted at each cell using it
    max_elements: int  # XML elements in the parts calamine parses (a value takes 2 to 4)
    max_columns: int = 64  # the last column holding a value (a roster has 5 or 8)
    max_members: int = 1_000  # files inside an .xlsx (Excel writes 10 to 30)
    max_compression_ratio: int = 100  # inflated ÷ compressed, for members over 1 MiB inflated
    max_string_bytes: int = MiB  # the longest stretch of XML without a tag (a cell holds at
    #                              most 32,767 characters)
    blank_rows: int = 1_000  # rows, blank ones included, a sheet may run past max_rows + 1
    advice: str = ""  # follows a 413's detail: where a larger file can go


# The API's (SPEC §10: 20,000 rows or 10 MB) and the command line's (SPEC §10: any size, such as
# a county's 100,000 households). A worker holds at most about max_cells × 32 bytes for the
# grid plus max_text_bytes for its text while calamine reads.
UPLOAD = Limits(max_bytes=10 * MiB, max_rows=20_000, max_cells=1_500_000,
                max_inflated_bytes=128 * MiB, max_shared_strings=1_000_000,
                max_shared_strings_bytes=64 * MiB, max_text_bytes=64 * MiB,
                max_elements=4_000_000)
COMMAND_LINE = Limits(max_bytes=200 * MiB, max_rows=200_000, max_cells=8_000_000,
                      max_inflated_bytes=2048 * MiB, max_shared_strings=4_000_000,
                      max_shared_strings_bytes=512 * MiB, max_text_bytes=512 * MiB,
                      max_elements=40_000_000)


class UnreadableFile(DomainError):
    status, code, title = 422, "import_file_unreadable", _("The file cannot be read")


class TooLarge(DomainError):
    status, code, title = 413, "payload_too_large", _("The file is too large")


class UploadRefused(DomainError):
    status, code, title = 422, "upload_refused", _("The file is refused for its shape")


def _too_large(limits: Limits, name: str, detail: Message) -> TooLarge:
    if limits.advice:
        detail = _("%(why)s %(advice)s", why=detail, advice=limits.advice)
    return TooLarge(detail, limit_name=name, limit=getattr(limits, "max_" + name))


def _refused(limits: Limits, name: str, detail: str, limit: int | None = None) -> UploadRefused:
    return UploadRefused(detail, limit_name=name,
                         limit=getattr(limits, "max_" + name) if limit is None else limit)


def _size(n: int) -> str:
    return f"{n // MiB} MB" if n >= MiB else _("%(count)s bytes", count=n)
