"""The managers' statistics window (issue 8)."""
