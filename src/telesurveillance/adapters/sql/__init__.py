"""The SQL store: SQLAlchemy 2 Core tables, Alembic migrations, SQLite and PostgreSQL."""
