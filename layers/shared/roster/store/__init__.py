"""The data access layer: the only code in Roster that talks to DynamoDB.

Kept empty on purpose: the redirect imports `roster.store.table` and `roster.store.keys` without
paying for pydantic and the API's models. The API's stores are in `roster.store.registry`.
"""
