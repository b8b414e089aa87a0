"""The brand API: one Powertools resolver, routes split by Router, errors mapped in one place."""
