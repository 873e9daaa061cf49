"""Heart-link contact cards (连心卡): the public lookup behind each QR code is rate limited per
client address, so codes cannot be guessed by brute force (80 random bits besides)."""

from service.exceptions import DomainError
from service.messages import _


class TooManyLookups(DomainError):
    status, code, title = 429, "too_many_requests", _("Too many card lookups; try again later")
