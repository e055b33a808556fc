"""SQLAlchemy ORM entities, one module per area. Importing this package registers every table on ``Base.metadata``."""

from kawaoffice.model import audit, dispatch, partners, projects, tours, users
from kawaoffice.model.base import Base, Entity

__all__ = ["Base", "Entity", "audit", "dispatch", "partners", "projects", "tours", "users"]
