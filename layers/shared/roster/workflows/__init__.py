"""The campaign and collaboration state machines: actions, tasks, deliverables."""
