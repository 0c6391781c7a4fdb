"""Reading untrusted input files with a size bound (plans, BPMN files)."""

from __future__ import annotations

import os
from typing import BinaryIO


def read_at_most(stream: BinaryIO, limit: int) -> bytes:
    """Up to ``limit`` + 1 bytes of ``stream`` (one more than allowed tells "too large").
    The buffer is sized from the file's own size: ``read(limit + 1)`` alone would allocate
    ``limit`` bytes for every small file. Pipes and growing files read on to the bound."""
    size = os.fstat(stream.fileno()).st_size
    data = stream.read(min(size, limit) + 1)
    if len(data) > size:
        data += stream.read(limit + 1 - len(data))
    return data
