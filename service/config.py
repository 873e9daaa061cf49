"""Configuration read from the environment (SPEC §8)."""

import json
import os
import re
import secrets
from pathlib import Path

INSTANCE_DIR = Path(os.environ.get("INSTANCE_DIR", Path.cwd() / "instance"))


def default_database_url() -> str:
    """An SQLite file under instance/, the laptop default."""
    return f"sqlite:///{INSTANCE_DIR / 'shuangbao.db'}"


def _development_secret() -> str:
    """A key kept under instance/, so every worker and restart signs tokens alike."""
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _weights(text: str) -> dict[str, float]:
    """Evaluation weights from JSON over the defaults; unknown keys or negatives are refused."""
    from service.evaluation.rules import DEFAULT_WEIGHTS

    weights = dict(DEFAULT_WEIGHTS)
    if text.strip():
        given = json.loads(text)
        unknown = set(given) - set(weights)
        if unknown or any(float(v) < 0 for v in given.values()):
            raise RuntimeError(f"EVALUATION_WEIGHTS: keys are {sorted(weights)}, each >= 0")
        weights.update({k: float(v) for k, v in given.items()})
    return weights


_ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?")


def _origins(text: str) -> list[str]:
    """CORS_ORIGINS: comma-separated origins (scheme://host[:port]), each named explicitly."""
    origins = [o.strip().rstrip("/") for o in text.split(",") if o.strip()]
    bad = [o for o in origins if not _ORIGIN.fullmatch(o)]
    if bad:
        raise RuntimeError(f"CORS_ORIGINS: {bad} are not origins like https://office.example.cn")
    return origins


_BASE_URL = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?")
DEVELOPMENT_BASE_URL = "http://127.0.0.1:8000"  # where README command 1 serves


def _base_url(text: str, env: str) -> str:
    """PUBLIC_BASE_URL: required in production; a plain http(s) address, kept without its
    trailing slash."""
    text = text.strip().rstrip("/")
    if not text:
        if env == "production":
            raise RuntimeError("PUBLIC_BASE_URL must be set in production (the address printed "
                               "in contact cards' QR codes, e.g. https://lianxin.example.gov.cn)")
        return DEVELOPMENT_BASE_URL
    if not _BASE_URL.fullmatch(text):
        raise RuntimeError(f"PUBLIC_BASE_URL: {text!r} is not an address like "
                           "https://lianxin.example.gov.cn")
    return text


def _seconds(text: str, name: str) -> float:
    """A number of seconds, 0 or more."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise RuntimeError(f"{name} must be a number of seconds, 0 or more (not {text!r})")
    return seconds


class Config:
    """One place for every setting; values come from the environment."""

    def __init__(self, env: dict[str, str] | None = None):
        env = dict(os.environ if env is None else env)
        self.ENV = env.get("SERVICE_ENV", "development")
        self.DATABASE_URL = env.get("DATABASE_URL") or default_database_url()
        secret = env.get("SECRET_KEY")
        if not secret:
            if self.ENV == "production":
                raise RuntimeError("SECRET_KEY must be set outside development")
            secret = _development_secret()
        if self.ENV == "production" and len(secret) < 32:
            raise RuntimeError("SECRET_KEY must be at least 32 characters")
        self.SECRET_KEY = secret
        self.COUNTY_TIMEZONE = env.get("COUNTY_TIMEZONE", "Asia/Shanghai")
        self.COUNTY_NAME = env.get("COUNTY_NAME", "壶关县")
        # Printed on every disclosure and contact card; 12317 is the national hotline for
        # reporting problems in poverty alleviation work.
        self.SUPERVISION_PHONE = env.get("SUPERVISION_PHONE", "12317")
        # The address printed in contact cards' QR codes: never the request's Host (a forged
        # Host would print cards pointing elsewhere), so production must name it.
        self.PUBLIC_BASE_URL = _base_url(env.get("PUBLIC_BASE_URL", ""), self.ENV)
        self.CONTACT_CARD_RATE_LIMIT = env.get("CONTACT_CARD_RATE_LIMIT", "30 per minute")
        # Weights of the annual evaluation's parts (JSON object; missing keys keep defaults).
        self.EVALUATION_WEIGHTS = _weights(env.get("EVALUATION_WEIGHTS", ""))
        # A computed evaluation is shown again while nothing changed, and for this long after
        # something did (its `computed_at` says when it was made); -1 computes every time.
        self.EVALUATION_CACHE_SECONDS = int(env.get("EVALUATION_CACHE_SECONDS", "300"))
        self.VISIT_MAX_DISTANCE_KM = float(env.get("VISIT_MAX_DISTANCE_KM", "3"))
        self.DEMAND_OVERDUE_DAYS = int(env.get("DEMAND_OVERDUE_DAYS", "15"))
        self.TOKEN_TTL_SECONDS = int(env.get("TOKEN_TTL_SECONDS", str(8 * 3600)))
        # Failed logins (OWASP's authentication cheat sheet: limit guessing without letting a
        # stranger lock the owner out): refused per username-and-address pair and per address;
        # past the per-username ceiling, every attempt for that username is slowed down by
        # LOGIN_SLOWDOWN_SECONDS, never refused (service/users/login.py).
        self.LOGIN_FAILURES_PER_PAIR = env.get("LOGIN_FAILURES_PER_PAIR", "5 per 15 minutes")
        self.LOGIN_FAILURES_PER_CLIENT = env.get("LOGIN_FAILURES_PER_CLIENT", "50 per 15 minutes")
        self.LOGIN_FAILURES_PER_USER = env.get("LOGIN_FAILURES_PER_USER", "100 per 15 minutes")
        self.LOGIN_SLOWDOWN_SECONDS = _seconds(env.get("LOGIN_SLOWDOWN_SECONDS", "1"),
                                               "LOGIN_SLOWDOWN_SECONDS")
        # Counts shared by every worker of the machine (an SQLite file beside the database);
        # redis://host:6379 shares them between machines (service/ratelimit.py).
        self.RATELIMIT_STORAGE_URI = env.get(
            "RATELIMIT_STORAGE_URI", f"sqlite:///{INSTANCE_DIR / 'ratelimits.sqlite'}")
        # Reverse proxies in front of the service (deploy/nginx): the client's address is the
        # one the last PROXY_COUNT of them saw (X-Forwarded-For); 0 trusts no header.
        # Production says it (0 when gunicorn faces clients itself): guessed wrong, every client
        # shares the proxy's address, and fifty bad logins from anyone would stop everyone.
        if self.ENV == "production" and not env.get("PROXY_COUNT", "").strip():
            raise RuntimeError("PROXY_COUNT must be set in production: 1 behind the shipped "
                               "nginx (compose.yaml), 2 with an HTTPS terminator before it, 0 "
                               "when gunicorn faces clients itself")
        self.PROXY_COUNT = int(env.get("PROXY_COUNT", "0"))
        # Browser front-ends served from these origins may call the API (none by default).
        self.CORS_ORIGINS = _origins(env.get("CORS_ORIGINS", ""))
        # Logs: one JSON object per line in production, plain lines in development (SPEC §13).
        self.LOG_FORMAT = env.get("LOG_FORMAT") or ("json" if self.ENV == "production"
                                                    else "text")
        if self.LOG_FORMAT not in ("json", "text"):
            raise RuntimeError("LOG_FORMAT must be json or text")
        # /metrics answers loopback callers, or, when this is set, callers that send it.
        self.METRICS_TOKEN = env.get("METRICS_TOKEN", "")
        # How long a pairing plan may search for the fewest cadres split across villages
        # (the planner's third aim); the plan says when the search stopped short (SPEC §14).
        self.PLANNER_SECONDS = _seconds(env.get("PLANNER_SECONDS", "20"), "PLANNER_SECONDS")
        # Every request's wall-clock budget: the database's statement timeout is what is left
        # of it, and a request past it answers 503 request_timeout (service/deadline.py).
        self.REQUEST_SECONDS = _seconds(env.get("REQUEST_SECONDS", "30"), "REQUEST_SECONDS")
        # How many heavy requests (imports, exports, plans) run at once on this machine; one
        # more is answered 503 busy at once instead of taking a worker (service/heavy.py).
        self.HEAVY_REQUESTS = int(env.get("HEAVY_REQUESTS", "2"))
        # Where the slots' lock files live: one directory per machine's service.
        self.HEAVY_DIR = env.get("HEAVY_DIR") or str(INSTANCE_DIR / "heavy")
        # Argon2 cost; tests lower it, production keeps the library defaults.
        self.PASSWORD_HASH_FAST = env.get("PASSWORD_HASH_FAST", "") == "1"

    def as_dict(self) -> dict:
        """Settings as a mapping for app.config."""
        return {k: v for k, v in vars(self).items() if k.isupper()}
