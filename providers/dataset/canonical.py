"""The canonical form of a table, and the digest of its content: a dataset's id.

The id must be the same for the same data on any machine with the same library versions, and
differ when one cell does. Hashing a file would not do: Parquet and Arrow IPC bytes depend on
chunking, on writer metadata, and on whatever bytes sit under a null slot (a filter or take
leaves them arbitrary). So the table is first made canonical (dictionaries decoded, large and
view string types folded into the plain ones, one chunk per column, no schema metadata,
every column nullable), and the digest then hashes a framed, per-column encoding that
depends only on the values: names, types, the validity of each row, and the values with
nulls zeroed and NaNs folded to one bit pattern, in little-endian order.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from mlform.sdk import import_optional

if TYPE_CHECKING:
    import pyarrow as pa

ENCODING = b"mlform.dataset.content.v1"
"""Names the encoding below; change it whenever the encoding changes, so ids never collide."""


def canonical_table(table: pa.Table) -> pa.Table:
    """The same data with the representation chosen for it (see the module's docstring)."""
    arrow = import_optional("pyarrow", "storing a dataset")
    fields, columns = [], []
    for field, column in zip(table.schema, table.columns, strict=True):
        plain = plain_type(field.type)
        if plain != column.type:
            try:
                column = column.cast(plain)
            except arrow.ArrowInvalid:  # over 2 GiB of text in one column: keep large types
                plain = column.type
        fields.append(arrow.field(field.name, plain))
        columns.append(column.combine_chunks())
    return arrow.Table.from_arrays(columns, schema=arrow.schema(fields))


def plain_type(type_: pa.DataType) -> pa.DataType:
    """The one type chosen among those that hold the same values."""
    arrow = import_optional("pyarrow", "storing a dataset")
    types = arrow.types
    if types.is_dictionary(type_):
        return plain_type(type_.value_type)
    if types.is_large_string(type_) or types.is_string_view(type_):
        return arrow.string()
    if types.is_large_binary(type_) or types.is_binary_view(type_):
        return arrow.binary()
    if (
        types.is_list(type_)
        or types.is_large_list(type_)
        or types.is_list_view(type_)
        or types.is_large_list_view(type_)
    ):
        return arrow.list_(plain_type(type_.value_type))
    if types.is_struct(type_):
        fields = [type_.field(index) for index in range(type_.num_fields)]
        return arrow.struct([arrow.field(f.name, plain_type(f.type)) for f in fields])
    return type_


def column_types(table: pa.Table) -> list[dict[str, str]]:
    """The `schema` output: each column's name and Arrow type name, in order."""
    return [{"name": field.name, "type": str(field.type)} for field in table.schema]


def content_digest(table: pa.Table) -> str:
    """The blake3 digest (lowercase hex) of the table's canonical content."""
    blake3 = import_optional("blake3", "computing a dataset's id")
    table = canonical_table(table)
    hasher = blake3.blake3()

    def put(piece: bytes | memoryview) -> None:
        hasher.update(len(piece).to_bytes(8, "little"))
        hasher.update(piece)

    put(ENCODING)
    put(table.num_rows.to_bytes(8, "little"))
    put(table.num_columns.to_bytes(8, "little"))
    for field, column in zip(table.schema, table.columns, strict=True):
        put(field.name.encode())
        put(str(field.type).encode())
        for piece in _column_pieces(column.combine_chunks()):
            put(piece)
    return str(hasher.hexdigest())


def _column_pieces(array: Any) -> Iterator[bytes | memoryview]:
    arrow = import_optional("pyarrow", "computing a dataset's id")
    numpy = import_optional("numpy", "computing a dataset's id")
    types = arrow.types
    type_ = array.type
    if array.null_count == 0:
        yield b"valid"
    else:
        valid = array.is_valid().to_numpy(zero_copy_only=False)
        yield b"mask"
        yield numpy.packbits(valid, bitorder="little").tobytes()
    if types.is_null(type_):
        return
    if types.is_boolean(type_):
        yield array.fill_null(False).to_numpy(zero_copy_only=False).astype("u1").tobytes()
    elif types.is_floating(type_):
        values = array.fill_null(0).to_numpy(zero_copy_only=False)
        values = numpy.where(numpy.isnan(values), values.dtype.type(numpy.nan), values)
        yield values.astype(values.dtype.newbyteorder("<")).tobytes()
    elif types.is_integer(type_) or _is_fixed_temporal(types, type_):
        width = type_.bit_width
        signed = arrow.int64() if width == 64 else getattr(arrow, f"int{width}")()
        values = array.view(signed).fill_null(0).to_numpy(zero_copy_only=False)
        yield values.astype(values.dtype.newbyteorder("<")).tobytes()
    elif types.is_decimal(type_):
        yield from _binary_pieces(arrow, numpy, array.cast(arrow.string()))
    elif _is_text_or_bytes(types, type_):
        yield from _binary_pieces(arrow, numpy, array)
    else:  # nested and rare types: their values as JSON
        text = json.dumps(array.to_pylist(), sort_keys=True, default=_json_value)
        yield text.encode()


def _is_text_or_bytes(types: Any, type_: Any) -> bool:
    return bool(
        types.is_string(type_)
        or types.is_binary(type_)
        or types.is_large_string(type_)
        or types.is_large_binary(type_)
    )


def _is_fixed_temporal(types: Any, type_: Any) -> bool:
    return bool(
        types.is_date(type_)
        or types.is_timestamp(type_)
        or types.is_time(type_)
        or types.is_duration(type_)
    )


def _binary_pieces(arrow: Any, numpy: Any, array: Any) -> Iterator[bytes | memoryview]:
    """The lengths of the values, then their bytes end to end (nulls as empty values)."""
    array = array.cast(arrow.large_binary()).fill_null(b"")
    if len(array) == 0:
        yield b""
        yield b""
        return
    _, offsets_buffer, data = array.buffers()
    start = array.offset
    offsets = numpy.frombuffer(offsets_buffer, dtype="<i8")[start : start + len(array) + 1]
    yield numpy.diff(offsets).astype("<i8").tobytes()
    yield b"" if data is None else memoryview(data)[int(offsets[0]) : int(offsets[-1])]


def _json_value(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.hex()
    isoformat = getattr(value, "isoformat", None)
    if callable(isoformat):
        return isoformat()
    return str(value)
