"""Creates a brand and its first API key in a deployed table, and prints the key once.

    make brand NAME="Acme Outdoors" TABLE=<TableName output of the stack>

Uses the ordinary AWS credential chain (AWS_PROFILE, env, SSO). Further keys are issued with
`POST /v1/api-keys` using this one.
"""

from __future__ import annotations

import argparse
import sys

from roster import auth
from roster.store.registry import Stores, Table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="create_brand", description=__doc__.split("\n")[0])
    parser.add_argument("--name", required=True, help="the brand's display name")
    parser.add_argument("--table", required=True, help="the stack's TableName output")
    args = parser.parse_args(argv)
    name = args.name.strip()
    if not name or len(name) > 200:
        parser.error("--name must be 1-200 characters")
    brand, key = auth.create_brand(Stores.for_table(Table(args.table)).brands, name)
    print(f"brand_id: {brand.id}")
    print(f"api_key:  {key}   (shown once; Roster stores only its hash)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
