"""The reader's language (SPEC §15 "Chinese first"): Chinese, the county's language, unless a
request prefers English (`Accept-Language: en`). flask-babel picks the catalog per request; the
messages themselves are plain Python (service/messages.py)."""

import flask_babel
from flask import Flask, has_request_context, request

from service import messages

DEFAULT = messages.DEFAULT_LOCALE
LOCALES = (DEFAULT, "en")  # the first is the default: a request naming neither gets Chinese


def choose_locale() -> str:
    """English only when the request prefers it (en, en-US…) to Chinese (zh, zh-CN…) and to
    any language at all (*); otherwise, and outside a request (the command line, jobs), the
    default."""
    if not has_request_context():
        return DEFAULT
    for tag, quality in request.accept_languages:  # best first
        primary = tag.split("-")[0].lower()
        if quality > 0 and primary in ("en", "zh", "*"):
            return "en" if primary == "en" else DEFAULT
    return DEFAULT


def localize(value):
    """`value` with every message in it in the request's language (the default outside one)."""
    return messages.localize(value, flask_babel.get_translations())


def _vary(response):
    """An answer whose words follow Accept-Language says so to caches."""
    if response.mimetype == "application/problem+json" or request.endpoint == "labels.Labels":
        response.vary.add("Accept-Language")
    return response


def install(app: Flask) -> None:
    """Catalogs from the package (so an installed wheel speaks Chinese from any directory)."""
    flask_babel.Babel(app, default_locale=DEFAULT, configure_jinja=False,
                      default_translation_directories=str(messages.CATALOGS),
                      locale_selector=choose_locale)
    app.after_request(_vary)
