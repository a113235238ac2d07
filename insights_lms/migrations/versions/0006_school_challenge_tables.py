"""the school's challenges get their own word: lms_challenge -> lms_school_challenge,
lms_context_challenge_rating -> lms_school_challenge_rating (renamed in place: every row,
id and reference is kept)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 17:40:00
"""

import hashlib

from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

#: (table, old name, new name) of the constraints whose names contain a renamed table's name.
#: SQLite cannot rename a constraint (its names are only text in the table's definition, and
#: nothing compares them there), so these are renamed on PostgreSQL. The unique constraint of
#: lms_school_challenge keeps its name on both (the model says so).
CONSTRAINTS = [
    ('lms_school_challenge', 'pk_lms_challenge', 'pk_lms_school_challenge'),
    ('lms_school_challenge', 'fk_lms_challenge_programme_id_lms_programme',
     'fk_lms_school_challenge_programme_id_lms_programme'),
    ('lms_school_challenge_rating', 'pk_lms_context_challenge_rating',
     'pk_lms_school_challenge_rating'),
    ('lms_school_challenge_rating', 'ck_lms_context_challenge_rating_weight_range',
     'ck_lms_school_challenge_rating_weight_range'),
    ('lms_school_challenge_rating', 'fk_lms_context_challenge_rating_challenge_id_lms_challenge',
     'fk_lms_school_challenge_rating_challenge_id_lms_school_challenge'),
    ('lms_school_challenge_rating',
     'fk_lms_context_challenge_rating_school_context_id_lms_school_context',
     'fk_lms_school_challenge_rating_school_context_id_lms_school_context'),
    ('lms_evidence_challenge', 'fk_lms_evidence_challenge_challenge_id_lms_challenge',
     'fk_lms_evidence_challenge_challenge_id_lms_school_challenge'),
    ('lms_task_response_challenge', 'fk_lms_task_response_challenge_challenge_id_lms_challenge',
     'fk_lms_task_response_challenge_challenge_id_lms_school_challenge'),
]
SEQUENCES = [
    ('lms_challenge_id_seq', 'lms_school_challenge_id_seq'),
    ('lms_context_challenge_rating_id_seq', 'lms_school_challenge_rating_id_seq'),
]
INDEX_COLUMNS = ['school_context_id', 'challenge_id', 'rated_dt']


def _rename(old_tables: tuple[str, str], new_tables: tuple[str, str], forward: bool) -> None:
    postgresql = op.get_bind().dialect.name == 'postgresql'
    old_index, new_index = (
        f'ix_{old_tables[1]}_context_challenge', f'ix_{new_tables[1]}_context_challenge'
    )
    op.drop_index(old_index, table_name=old_tables[1])
    # SQLite rewrites the references in the other tables' foreign keys itself.
    op.rename_table(old_tables[0], new_tables[0])
    op.rename_table(old_tables[1], new_tables[1])
    op.create_index(new_index, new_tables[1], INDEX_COLUMNS, unique=False)
    if postgresql:
        for table, old, new in CONSTRAINTS:
            table = table if forward else _old_table(table)
            source, target = (old, new) if forward else (new, old)
            op.execute(
                f'ALTER TABLE {table} RENAME CONSTRAINT {_pg_name(source)} TO {_pg_name(target)}'
            )
        for old, new in SEQUENCES:
            source, target = (old, new) if forward else (new, old)
            op.execute(f'ALTER SEQUENCE {source} RENAME TO {target}')


def _pg_name(name: str) -> str:
    """The name as SQLAlchemy gives it to PostgreSQL, which allows 63 characters: a longer
    one is cut and ends with four hex digits of its MD5."""
    if len(name) <= 63:
        return name
    return f'{name[:55]}_{hashlib.md5(name.encode()).hexdigest()[-4:]}'


def _old_table(table: str) -> str:
    return {
        'lms_school_challenge': 'lms_challenge',
        'lms_school_challenge_rating': 'lms_context_challenge_rating',
    }.get(table, table)


def upgrade() -> None:
    _rename(
        ('lms_challenge', 'lms_context_challenge_rating'),
        ('lms_school_challenge', 'lms_school_challenge_rating'),
        forward=True,
    )


def downgrade() -> None:
    _rename(
        ('lms_school_challenge', 'lms_school_challenge_rating'),
        ('lms_challenge', 'lms_context_challenge_rating'),
        forward=False,
    )
