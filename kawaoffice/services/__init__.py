"""The use cases of each area: queries and commands with their rules and conflict checks.

Importing this package installs the audit hook on SQLAlchemy's ``Session`` (audit columns and the audit log).
"""

from kawaoffice.services import audit as _audit
from kawaoffice.services.errors import (
    ConflictError,
    NotFoundError,
    ServiceError,
    StaleEditError,
    ValidationError,
)

_audit.install()

__all__ = ["ConflictError", "NotFoundError", "ServiceError", "StaleEditError", "ValidationError"]
