"""Every table of the application, for Alembic and the schema tests.

Core tables are in `models.py`; each feature keeps its tables in its own module
(`bot/db/<feature>.py`, built on the same `Base`) and is imported here.
"""

from bot.db import digest, feedback, models
from bot.db.models import Base

__all__ = ["Base", "digest", "feedback", "models"]
