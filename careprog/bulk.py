"""Raw multi-row INSERTs for imports, where the ORM's bulk_create is the slowest step.

For tens of thousands of rows Django spends most of an import turning each field of each row
into SQL in Python (about 50 µs a row). SQLite runs one prepared INSERT many times
(executemany); PostgreSQL takes the rows through COPY. The values must already be what the
column holds (ids, dates, Decimals, strings); the model's constraints still hold in the
database. Nothing here sends signals, so django-simple-history records nothing: callers keep
their own audit record (an import batch).
"""

from django.db import connection

WRITE_BATCH = 2_000


def insert_rows(model, field_names: list[str], rows: list[tuple]) -> None:
    meta, quote = model._meta, connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in field_names)
    table = quote(meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(field_names))
            sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
            for start in range(0, len(rows), WRITE_BATCH):
                cursor.executemany(sql, rows[start : start + WRITE_BATCH])
