"""An example support-desk service built on paysupport: FastAPI over SQLite (SQLAlchemy).

The library decides (pure workflows returning effects); this package is the host: it loads
aggregates from the database, calls a workflow, commits the outcome in one transaction, runs
the effects through adapters (a fake payment gateway here) and feeds their results back.
"""

from examples.support_desk.app import create_app

__all__ = ["create_app"]
