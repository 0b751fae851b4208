"""The store: SQLAlchemy 2 tables, Alembic migrations, sessions.

SQLite by default (a file under ./var), PostgreSQL by URL; one schema for both.
"""
