"""a delivery's last error keeps its words: ``message_deliveries.last_error_words``

A failed delivery's reason was kept as English text only (``last_error``), and the board's
French page showed it in English. Its words are kept beside it now (the template and values of
``says``, as ``Said.words()`` gives them), for a page to say it in its own language; the
English stays in ``last_error`` for the API, the CLI and the logs. Rows from before keep no
words (NULL) and are shown as their text was written.

Revision ID: 0027
Revises: 0026
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("message_deliveries") as batch:
        batch.add_column(sa.Column("last_error_words", sa.JSON(), nullable=True))


def downgrade() -> None:
    # the English of each error stays in last_error: only the page's translation is lost
    with op.batch_alter_table("message_deliveries") as batch:
        batch.drop_column("last_error_words")
