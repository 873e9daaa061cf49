"""Password hashing (Argon2id), for the login and account services; no Flask."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHERS: dict[bool, PasswordHasher] = {}
# A hash to verify against when the username is unknown, so timing does not reveal it.
_DUMMY_HASH: dict[bool, str] = {}


def hasher(fast: bool = False) -> PasswordHasher:
    """Argon2id with the library's defaults; the cheap profile only when asked (tests)."""
    if fast not in _HASHERS:
        _HASHERS[fast] = (PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1) if fast
                          else PasswordHasher())
    return _HASHERS[fast]


def hash_password(password: str, fast: bool = False) -> str:
    """Hash a password for storage."""
    return hasher(fast).hash(password)


def verify_password(stored_hash: str, password: str, fast: bool = False) -> bool:
    """True when the password matches the stored hash."""
    try:
        return hasher(fast).verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def dummy_verify(password: str, fast: bool = False) -> None:
    """Spend the time a real check would, for a username that does not exist."""
    if fast not in _DUMMY_HASH:
        _DUMMY_HASH[fast] = hash_password("not-a-real-password", fast)
    verify_password(_DUMMY_HASH[fast], password, fast)
