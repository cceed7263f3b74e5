"""Database access: engine, models, repositories, migrations."""

# The Alembic head this driftctl expects. Checked without importing Alembic (it is slow to
# import); tests/db/test_migrations.py keeps it equal to the newest revision.
SCHEMA_HEAD = "0006"
