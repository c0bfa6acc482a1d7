"""The Open Inference Protocol's binary tensor extension, for input tensors: the request's
JSON ends where its Inference-Header-Content-Length says, and the inputs that give a
`binary_data_size` take that many bytes of what follows, in their order (BYTES elements as a
4-byte little-endian length and that many UTF-8 bytes; numbers little-endian; BOOL one byte
each). tritonclient sends tensors this way unless told `binary_data=False`."""

from __future__ import annotations

from typing import Any

import numpy as np

from providers.endpoint.serving.errors import bad_request

NUMPY_TYPES = {
    "INT8": "<i1",
    "INT16": "<i2",
    "INT32": "<i4",
    "INT64": "<i8",
    "UINT8": "<u1",
    "UINT16": "<u2",
    "UINT32": "<u4",
    "UINT64": "<u8",
    "FP16": "<f2",
    "FP32": "<f4",
    "FP64": "<f8",
}


class BinaryData:
    """The bytes after a request's JSON header, taken input by input."""

    def __init__(self, data: bytes | None) -> None:
        self.data = data
        self.position = 0

    def take(self, size: Any, datatype: str, where: str) -> list[Any]:
        if self.data is None:
            raise bad_request(
                f"{where} gives binary_data_size, but the request has no "
                "Inference-Header-Content-Length header saying where its JSON ends"
            )
        if type(size) is not int or size < 0:
            raise bad_request(f"{where}: binary_data_size must be a whole number of bytes")
        chunk = self.data[self.position : self.position + size]
        if len(chunk) != size:
            raise bad_request(f"{where}: the binary data ends before its {size} bytes")
        self.position += size
        if datatype == "BYTES":
            return _strings(chunk, where)
        if datatype == "BOOL":
            return (np.frombuffer(chunk, dtype=np.uint8) != 0).tolist()
        if datatype not in NUMPY_TYPES:
            raise bad_request(f"{where}: binary {datatype} data is not supported; send JSON data")
        dtype = np.dtype(NUMPY_TYPES[datatype])
        if size % dtype.itemsize:
            raise bad_request(f"{where}: {size} bytes are not a whole number of {datatype}")
        array = np.frombuffer(chunk, dtype=dtype)
        if dtype.kind == "f" and np.isinf(array).any():
            raise bad_request(f"{where} holds an infinite number, which a model cannot take")
        return list(array.tolist())

    def check_used(self) -> None:
        if self.data is not None and self.position != len(self.data):
            raise bad_request(
                f"the binary data holds {len(self.data) - self.position} bytes more than the "
                "inputs' binary_data_size add up to"
            )


def _strings(chunk: bytes, where: str) -> list[Any]:
    found, position = [], 0
    while position < len(chunk):
        length = int.from_bytes(chunk[position : position + 4], "little")
        position += 4
        if position + length > len(chunk):
            raise bad_request(f"{where}: a BYTES element runs past the binary data")
        try:
            found.append(chunk[position : position + length].decode("utf-8"))
        except UnicodeDecodeError:
            raise bad_request(f"{where}: a BYTES element is not UTF-8 text") from None
        position += length
    return found
