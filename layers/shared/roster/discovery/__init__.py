"""Discovery: what public sources say about a creator (profiles.py, sources.py), how good their
audience looks and why (quality.py), how well their posts fit a campaign and what screening finds
(fit.py, screening.py). The scores are pure functions of snapshots; docs/discovery.md documents
every signal, its benchmark and its limits."""
