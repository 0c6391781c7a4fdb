"""Reading a BPMN file stops one byte past the bound, whatever fstat says."""

from __future__ import annotations

import os
from pathlib import Path

from runner.bounded_read import read_at_most


def test_small_file_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "f.bpmn"
    path.write_bytes(b"x" * 100)
    with open(path, "rb") as stream:
        assert read_at_most(stream, 1000) == b"x" * 100


def test_large_file_is_cut_one_byte_past_the_bound(tmp_path: Path) -> None:
    path = tmp_path / "f.bpmn"
    path.write_bytes(b"x" * 5000)
    with open(path, "rb") as stream:
        assert read_at_most(stream, 1000) == b"x" * 1001


def test_pipe_without_a_size_is_read_up_to_the_bound() -> None:
    read_end, write_end = os.pipe()
    os.write(write_end, b"y" * 3000)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as stream:
        assert read_at_most(stream, 1000) == b"y" * 1001
