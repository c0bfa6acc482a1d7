"""Reading a CSV, Parquet or JSON Lines file into an Arrow table.

Paths are relative to the configuration directory, so a configuration reads the same files
wherever it is run from; `file://` URLs name a file too. Arrow's readers infer the types
(dates and timestamps included) and treat empty cells and the usual spellings of missing
values (`NA`, `null`, ...) as null, in string columns as well. Compressed files (.gz, .bz2,
.zst, .xz, .zip) are decompressed on the way in.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from mlform.sdk import import_optional
from providers.dataset.problems import DatasetProblem, first_lines
from providers.dataset.settings import HIDDEN
from providers.dataset.source import COMPRESSIONS

if TYPE_CHECKING:
    import pyarrow as pa

FORMAT_NAMES = {"csv": "CSV", "parquet": "Parquet", "jsonl": "JSON Lines"}
_STREAM_CODECS = {".gz": "gzip", ".bz2": "bz2", ".zst": "zstd"}
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")


def resolve_file(location: str, config_dir: Path) -> Path:
    """The file a `source` names: relative paths are relative to the configuration directory."""
    if location.lower().startswith("file:"):
        parts = urlsplit(location)
        path = url2pathname(parts.path)
        if parts.netloc and parts.netloc != "localhost":  # file://data/x.csv: a relative path
            path = parts.netloc + path
        resolved = Path(path)
    elif _SCHEME.match(location):
        raise DatasetProblem.at(
            ("source",),
            f'reading "{location}" from an object store is not supported yet; copy the file '
            "next to the configuration and name it by its path, or use a file:// URL",
        )
    else:
        resolved = Path(location).expanduser()
    return resolved if resolved.is_absolute() else config_dir / resolved


@contextmanager
def file_errors(shown: str, path: Path) -> Iterator[None]:
    """Turn the operating system's refusals into diagnostics on `source`. A sensitive source
    (`shown` is `HIDDEN`) is not named, nor is the path it resolves to."""
    hidden = shown == HIDDEN
    name = shown if hidden else f'"{shown}"'
    at = "" if hidden else f" ({path})"
    try:
        yield
    except FileNotFoundError:
        looked = "" if hidden else f" (looked for {path})"
        raise DatasetProblem.at(
            ("source",),
            f"the source file {name} does not exist{looked}; check the path, which is "
            "relative to the configuration directory, or create the file",
        ) from None
    except IsADirectoryError:
        raise DatasetProblem.at(
            ("source",),
            f"the source {name} is a directory{at}; name one .csv, .parquet or .jsonl file in it",
        ) from None
    except PermissionError:
        raise DatasetProblem.at(
            ("source",),
            f"cannot read the source file {name}{at}: permission denied; make it readable "
            "by the user running mlform",
        ) from None
    except OSError as error:
        raise DatasetProblem.at(
            ("source",),
            f"cannot read the source file {name}{at}: {error.strerror or error}; check the "
            "file and the disk it is on",
        ) from None


def read_file(path: Path, file_format: str, shown: str) -> pa.Table:
    """The file's rows; raises `DatasetProblem` when it is missing or not in its format."""
    arrow = import_optional("pyarrow", "reading a dataset file")
    with file_errors(shown, path):
        if path.is_dir():
            raise IsADirectoryError(path)
        if not path.exists():
            raise FileNotFoundError(path)
        try:
            return _read(_open(arrow, path, file_format), file_format)
        except (arrow.ArrowException, ValueError, EOFError) as error:
            raise DatasetProblem.at(("source",), _unreadable(shown, file_format, error)) from None
        except OSError as error:
            if isinstance(error, FileNotFoundError | IsADirectoryError | PermissionError):
                raise
            raise DatasetProblem.at(("source",), _unreadable(shown, file_format, error)) from None


def _open(arrow: Any, path: Path, file_format: str) -> Any:
    """What Arrow's reader takes: the path, a decompressing stream, or a buffer in memory."""
    compression = next((c for c in COMPRESSIONS if path.name.lower().endswith(c)), None)
    if compression is None:
        return str(path)
    if compression in _STREAM_CODECS and file_format != "parquet":
        return arrow.input_stream(str(path), compression=_STREAM_CODECS[compression])
    return arrow.BufferReader(_decompressed(arrow, path, compression))


def _decompressed(arrow: Any, path: Path, compression: str) -> bytes:
    if compression == ".zip":
        import zipfile

        with zipfile.ZipFile(path) as archive:
            members = [info for info in archive.infolist() if not info.is_dir()]
            if len(members) != 1:
                raise ValueError(
                    f"the zip archive holds {len(members)} files; it must hold exactly one"
                )
            return archive.read(members[0])
    if compression == ".xz":
        import lzma

        with lzma.open(path) as stream:
            return stream.read()
    with arrow.input_stream(str(path), compression=_STREAM_CODECS[compression]) as stream:
        return bytes(stream.read())


def _read(source: Any, file_format: str) -> pa.Table:
    if file_format == "csv":
        csv = import_optional("pyarrow.csv", "reading CSV", package="pyarrow")
        options = csv.ConvertOptions(strings_can_be_null=True)
        return csv.read_csv(source, convert_options=options)
    if file_format == "jsonl":
        json = import_optional("pyarrow.json", "reading JSON Lines", package="pyarrow")
        return json.read_json(source)
    parquet = import_optional("pyarrow.parquet", "reading Parquet", package="pyarrow")
    return parquet.read_table(source)


def _unreadable(shown: str, file_format: str, error: BaseException) -> str:
    name = FORMAT_NAMES.get(file_format, file_format)
    quoted = shown if shown == HIDDEN else f'"{shown}"'
    hints = {
        "csv": "a CSV file with a header row whose columns hold one type each",
        "jsonl": "one JSON object per line, each key keeping one type",
        "parquet": "a Parquet file",
    }
    return (
        f"cannot read {quoted} as {name}: {first_lines(str(error))}; check that it is "
        f"{hints.get(file_format, name)}, or rename it so that its suffix says its format "
        "(.csv, .parquet, .jsonl)"
    )
