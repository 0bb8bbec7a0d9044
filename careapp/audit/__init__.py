"""Append-only audit log: who did what, when, to which object (before → after)."""
