"""Hostile --config files are configuration errors (exit 2), never internal errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from runner.cli.main import cli
from runner.cluster.config import resolve
from runner.errors import ConfigError

PLAN = Path(__file__).parents[2] / "plans" / "invoice-v1-to-v2.yaml"


@pytest.mark.parametrize("content, words", [
    (b"cluster:\n  address: " + b"[" * 2000 + b"]" * 2000 + b"\n", "deeper than"),
    (b"cluster:\n  clientId: caf\xe9\n", "invalid continuation byte"),
    (b"cluster:\n  1: x\n", "unknown setting '1'"),
    (b"a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
     b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c]\n"
     b"e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e]\n",
     "aliases"),
])
def test_hostile_config_file_is_a_config_error(tmp_path: Path, content: bytes,
                                               words: str) -> None:
    config = tmp_path / "c8migrate.yaml"
    config.write_bytes(content)
    with pytest.raises(ConfigError) as caught:
        resolve(env={}, config_file=config)
    assert words in str(caught.value)
    result = CliRunner().invoke(cli, ["plan", str(PLAN), "--config", str(config), "-q"],
                                env={"GITHUB_ACTIONS": "", "CAMUNDA_REST_ADDRESS": ""})
    assert result.exit_code == 2, result.output
    assert "internal error" not in result.output


def test_plain_config_file_still_reads(tmp_path: Path) -> None:
    config = tmp_path / "c8migrate.yaml"
    config.write_text("cluster:\n  address: http://127.0.0.1:9\n  timeout: 5\n")
    resolved = resolve(env={}, config_file=config)
    assert (resolved.address, resolved.timeout) == ("http://127.0.0.1:9/v2", 5.0)
