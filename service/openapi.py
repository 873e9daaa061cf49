"""The OpenAPI document, rendered the same way for /openapi.yaml and the committed file."""

import json
from decimal import Decimal

import yaml


def _plain(value):
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(type(value).__name__)


def spec_dict(api) -> dict:
    """The live spec as plain JSON data (validator bounds may be Decimals)."""
    return json.loads(json.dumps(api.spec.to_dict(), default=_plain))


def spec_yaml(api) -> str:
    """Stable YAML (Chinese kept readable) for diffing and committing."""
    return yaml.safe_dump(spec_dict(api), allow_unicode=True, sort_keys=True, width=100)


if __name__ == "__main__":  # python -m service.openapi > openapi.yaml
    import sys

    from service import create_app

    app = create_app({"DATABASE_URL": "sqlite://"})
    sys.stdout.write(spec_yaml(app.extensions["api"]))
