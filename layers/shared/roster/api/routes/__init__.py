"""The brand API's routes, one module per resource, each building its own Router."""
