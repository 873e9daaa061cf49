"""Messages as a reader sees them (SPEC §15): Chinese by default, English on request. For
tests that look at what a service raised, outside a request."""

from service.messages import catalog, localize


def zh(value):
    """`value` with every message in it in Chinese."""
    return localize(value, catalog("zh"))


def en(value):
    """`value` with every message in it in English."""
    return localize(value, catalog("en"))
