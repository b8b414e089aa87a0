"""Operator commands that run against a deployed stack with the caller's AWS credentials."""
