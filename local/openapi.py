"""Prints the brand API's OpenAPI document, generated from the models (`make openapi`)."""

from __future__ import annotations

import json

from roster.api.app import build_app


def document() -> str:
    schema = json.loads(build_app().get_openapi_json_schema())
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    print(document(), end="")
