"""Running a dataset's SQL against a database named by a SQLAlchemy URL.

The SQL is sent to the database as written (no bind-parameter parsing, so `':'` in a string
literal stays literal), inside a transaction that is rolled back: reading a dataset never
changes the database. A relative SQLite path is relative to the configuration directory, like
a file source, and a SQLite file that does not exist is an error rather than a new empty
database.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlform.sdk import AttributePath, import_optional
from mlform.sdk.imports import package_for_module
from providers.dataset.problems import DatasetProblem, first_lines

if TYPE_CHECKING:
    import pyarrow as pa


def run_query(
    url: str, query: str, config_dir: Path, shown: str, attribute: AttributePath
) -> pa.Table:
    """The rows `query` selects; errors point at `source` (the database) or `attribute`
    (`("query",)` or `("fingerprint",)`, the SQL)."""
    import_optional("sqlalchemy", "reading a database source", package="SQLAlchemy")
    from sqlalchemy import create_engine
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
    from sqlalchemy.pool import NullPool

    name = str(attribute[0])
    label = "query" if name == "query" else f"{name} query"
    try:
        engine = create_engine(_local_url(url, config_dir, shown), poolclass=NullPool)
    except NoSuchModuleError:
        raise DatasetProblem.at(
            ("source",),
            f'SQLAlchemy has no dialect for "{shown}"; check the URL\'s scheme '
            "(postgresql://, mysql://, sqlite:///...) or install the package that provides it",
        ) from None
    except ArgumentError as error:
        raise DatasetProblem.at(
            ("source",),
            f'"{shown}" is not a valid SQLAlchemy URL: {error}; write it as '
            "dialect+driver://user:password@host/database",
        ) from None
    except ModuleNotFoundError as error:
        package = package_for_module(error.name or "the database driver")
        raise DatasetProblem.at(
            ("source",),
            f'connecting to "{shown}" needs the Python package "{package}", which is not '
            f"installed; install it with: pip install {package}",
        ) from None
    try:
        try:
            connection = engine.connect()
        except SQLAlchemyError as error:
            raise DatasetProblem.at(
                ("source",),
                f'cannot connect to "{shown}": {_cause(error)}; check the URL, the server and '
                "the credentials",
            ) from None
        with connection:  # closing rolls back: reading never changes the database
            try:
                result = connection.exec_driver_sql(query)
                if not result.returns_rows:
                    raise DatasetProblem.at(
                        (name,),
                        f"the {label} returned no rows to read; write a SELECT statement",
                    )
                names = result.keys()  # a result iterates over rows, not names
                columns = [str(column) for column in names]
                rows = result.fetchall()
            except SQLAlchemyError as error:
                raise DatasetProblem.at(
                    (name,),
                    f"the {label} failed on {shown}: {_cause(error)}; check the SQL in your "
                    "database's own dialect",
                ) from None
    finally:
        engine.dispose()
    return _table(columns, rows, name, label)


def _local_url(url: str, config_dir: Path, shown: str) -> Any:
    """The URL, with a relative SQLite database path made relative to the configuration
    directory; an error when that SQLite file does not exist."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return parsed
    if database.startswith("file:"):  # a SQLite URI filename: left to SQLite
        return parsed
    path = Path(database).expanduser()
    if not path.is_absolute():
        path = config_dir / path
    if not path.is_file():
        raise DatasetProblem.at(
            ("source",),
            f'the SQLite database of "{shown}" does not exist (looked for {path}); check the '
            "path, which is relative to the configuration directory",
        )
    return parsed.set(database=str(path))


def _cause(error: Exception) -> str:
    """The database's own message, without SQLAlchemy's wrapping and the echoed SQL."""
    original = getattr(error, "orig", None)
    return first_lines(str(original if original is not None else error))


def _table(columns: list[str], rows: Sequence[Sequence[Any]], name: str, label: str) -> pa.Table:
    """An Arrow table from the rows, each column's type inferred from its values."""
    arrow = import_optional("pyarrow", "reading a database source")
    duplicates = sorted({column for column in columns if columns.count(column) > 1})
    if duplicates:
        raise DatasetProblem.at(
            (name,),
            f"the {label} returns more than one column named "
            f"{', '.join(repr(d) for d in duplicates)}; give each column its own name with AS",
        )
    arrays = []
    for index, column in enumerate(columns):
        values = [row[index] for row in rows]
        try:
            arrays.append(arrow.array(values))
        except (arrow.ArrowException, TypeError, ValueError, OverflowError):
            kinds = sorted({type(v).__name__ for v in values if v is not None})
            raise DatasetProblem.at(
                (name,),
                f'column "{column}" of the {label} result mixes values of types '
                f"{', '.join(kinds)}; CAST it to one type in the SQL",
            ) from None
    return arrow.Table.from_arrays(arrays, names=columns)
