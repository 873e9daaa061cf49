"""双包双联 contact service."""

from service import messages as _messages

# Before any schema module is imported: marshmallow fields copy their messages when made.
_messages.install_library_messages()


def create_app(config: dict | None = None):
    """The WSGI app (imported lazily, so `service.*.rules` stay free of Flask)."""
    from service.app import create_app as factory

    return factory(config)


__all__ = ["create_app"]
