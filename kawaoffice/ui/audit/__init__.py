"""The audit log viewer: who changed what and when, field by field, with the reasons of overridden checks."""
