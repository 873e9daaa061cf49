"""双包双联 contact service."""


def create_app(config: dict | None = None):
    """The WSGI app (imported lazily, so `service.*.rules` stay free of Flask)."""
    from service.app import create_app as factory

    return factory(config)


__all__ = ["create_app"]
