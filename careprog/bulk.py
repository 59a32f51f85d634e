"""Raw multi-row writes for imports and their undoing, where the ORM's per-object path is the
slowest step.

For tens of thousands of rows Django spends most of an import turning each field of each row
into SQL in Python (about 50 µs a row), and ``QuerySet.delete()`` on a model with history
fetches every row and sends two signals for it. Here:

- ``insert_rows``: SQLite runs one prepared INSERT many times (executemany); PostgreSQL
  takes the rows through COPY. The values must already be what the column holds (ids, dates,
  Decimals, strings).
- ``update_rows``: the same for UPDATEs by primary key, where ``bulk_update``'s CASE WHEN
  per field grows with the square of its batch (2.5 s for 2,000 rows);
- ``insert_select``: INSERT ... SELECT from a queryset, so the rows never pass through
  Python (e.g. history records copied from the rows they record).
- ``delete_where``: one DELETE of the rows a queryset selects, with no signals.
- ``insert_history``: django-simple-history's records of the rows a queryset selects, as
  they are now, by one ``insert_select``.

The model's constraints still hold in the database. Nothing here sends signals, so
django-simple-history records nothing by itself: callers write their history records
(``insert_history``) or keep their own audit record.
"""

from django.db import connection
from django.db.models import CharField, DateTimeField, IntegerField, Max, QuerySet, Value
from django.utils import timezone

WRITE_BATCH = 2_000


def _columns(model, field_names: list[str]) -> list[str]:
    meta, quote = model._meta, connection.ops.quote_name
    return [quote(meta.get_field(name).column) for name in field_names]


def insert_rows(model, field_names: list[str], rows: list[tuple]) -> None:
    columns = ", ".join(_columns(model, field_names))
    table = connection.ops.quote_name(model._meta.db_table)
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


def update_rows(model, field_names: list[str], rows: list[tuple]) -> None:
    """Set ``field_names`` on each row: ``rows`` are those fields' values, then the pk.

    PostgreSQL takes the rows through COPY into a temporary table of the same column types,
    then one UPDATE ... FROM it: executemany cost a round trip a row there (5.3 s for 50,000
    rows, against 0.5 s on SQLite)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    columns = _columns(model, field_names)
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            scratch = quote(f"careprog_update_{model._meta.db_table}")
            listed = ", ".join([*columns, pk])
            cursor.execute(f"DROP TABLE IF EXISTS {scratch}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {scratch} AS SELECT {listed} FROM {table} WITH NO DATA"
            )
            with cursor.cursor.copy(f"COPY {scratch} ({listed}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            assignments = ", ".join(f"{column} = {scratch}.{column}" for column in columns)
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM {scratch} "
                f"WHERE {table}.{pk} = {scratch}.{pk}"
            )
            cursor.execute(f"DROP TABLE {scratch}")
        else:
            assignments = ", ".join(f"{column} = %s" for column in columns)
            sql = f"UPDATE {table} SET {assignments} WHERE {pk} = %s"
            for start in range(0, len(rows), WRITE_BATCH):
                cursor.executemany(sql, rows[start : start + WRITE_BATCH])


def insert_select(model, field_names: list[str], queryset: QuerySet) -> int:
    """Insert a row into ``model``'s table for each row of ``queryset``, a ``values_list`` of
    as many columns as ``field_names``, in that order; returns how many."""
    table = connection.ops.quote_name(model._meta.db_table)
    sql, params = queryset.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        columns = ", ".join(_columns(model, field_names))
        cursor.execute(f"INSERT INTO {table} ({columns}) {sql}", params)
        return cursor.rowcount


def delete_where(queryset: QuerySet) -> int:
    """Delete the rows ``queryset`` selects in one statement; returns how many."""
    model = queryset.model
    quote = connection.ops.quote_name
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {pk} IN ({sql})", params)
        return cursor.rowcount


def insert_history(rows: QuerySet, kind: str, *, user, reason: str | None) -> int:
    """A history record ('+' added, '~' changed, '-' deleted) of each row ``rows`` selects,
    as it is now, by ``user`` with ``reason``: what django-simple-history would record on each
    row's save or delete, in one INSERT ... SELECT. The model's history tracks all its fields;
    returns how many records."""
    fields = [field.name for field in rows.model._meta.concrete_fields]
    stamped = rows.annotate(
        h_date=Value(timezone.now(), output_field=DateTimeField()),
        h_reason=Value(reason[:100] if reason else None, output_field=CharField()),
        h_type=Value(kind),
        h_user=Value(user.pk if user else None, output_field=IntegerField()),
    ).values_list(*fields, "h_date", "h_reason", "h_type", "h_user")
    history_fields = [
        *fields, "history_date", "history_change_reason", "history_type", "history_user"
    ]  # fmt: skip
    return insert_select(rows.model.history.model, history_fields, stamped)


def highest_id(model) -> int:
    """The highest id in ``model``'s table now: rows inserted after this call have higher
    ones, so that their history records can be told apart ('+') from the updated ones'."""
    return model.objects.aggregate(highest=Max("id"))["highest"] or 0
