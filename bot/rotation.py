"""Re-encrypt every encrypted column with the newest key (after adding a key to DATA_ENCRYPTION_KEY)."""
from __future__ import annotations

from sqlalchemy import Table, Text, literal, select, type_coerce, update
from sqlalchemy.orm import Session

from models import Base
from models.base import EncryptedJson, EncryptedText
from models.crypto import Keyring


def encrypted_columns() -> list[tuple[Table, str]]:
    """(table, column name) of every encrypted column in the schema."""
    return [(table, column.name) for table in Base.metadata.sorted_tables for column in table.columns
            if isinstance(column.type, (EncryptedText, EncryptedJson))]


def rotate_all(session: Session, keyring: Keyring) -> int:
    """Rewrite each stored token with the newest key; returns how many values were re-encrypted."""
    return sum(rotate_column(session, keyring, table, name) for table, name in encrypted_columns())


def rotate_column(session: Session, keyring: Keyring, table: Table, name: str) -> int:
    """Rewrite one column's stored tokens with the newest key; returns how many there were."""
    count = 0
    keys = list(table.primary_key.columns)
    # type_coerce to Text reads and writes the stored token as is, bypassing the column's own encryption.
    raw = type_coerce(table.c[name], Text)
    for row in session.execute(select(*keys, raw).where(table.c[name].is_not(None))).all():
        where = [column == value for column, value in zip(keys, row[:-1])]
        session.execute(update(table).where(*where).values({name: literal(keyring.rotate(row[-1]), Text)}))
        count += 1
    return count
