"""End-to-end: the suite starts `python -m local` (what `make run` runs) and talks HTTP to it
(the stack and its helpers are in tests/stack.py, shared with the browser tests)."""

from tests.stack import stack as stack
