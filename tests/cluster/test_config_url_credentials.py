"""Credentials written into a URL (``http://user:password@host``) would print the password
in every message that names the address; they are refused without echoing them."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from runner.cli.main import cli
from runner.cluster.config import resolve
from runner.errors import ConfigError

PASSWORD = "Zebra-Pw-4711"
PLAN = Path(__file__).parents[2] / "plans" / "invoice-v1-to-v2.yaml"


@pytest.mark.parametrize("env", [
    {"CAMUNDA_REST_ADDRESS": f"http://demo:{PASSWORD}@127.0.0.1:9"},
    {"CAMUNDA_REST_ADDRESS": f"demo:{PASSWORD}@127.0.0.1:9"},
    {"CAMUNDA_REST_ADDRESS": "http://127.0.0.1:9", "CAMUNDA_CLIENT_ID": "c",
     "CAMUNDA_CLIENT_SECRET": "s", "CAMUNDA_OAUTH_URL": f"http://c:{PASSWORD}@127.0.0.1:9/t"},
])
def test_credentials_in_a_url_are_refused_and_masked(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError) as caught:
        resolve(env=env)
    text = f"{caught.value} {caught.value.hint}"
    assert PASSWORD not in text and "demo:" not in text
    assert "***@127.0.0.1:9" in text


def test_a_url_with_an_at_sign_in_its_path_is_accepted() -> None:
    config = resolve(env={"CAMUNDA_REST_ADDRESS": "https://host.example/team@x"})
    assert config.address == "https://host.example/team@x/v2"


def test_plan_with_credentials_in_the_address_exits_2_without_printing_them() -> None:
    result = CliRunner().invoke(
        cli, ["plan", str(PLAN), "--format", "text", "-q"],
        env={"CAMUNDA_REST_ADDRESS": f"http://demo:{PASSWORD}@127.0.0.1:9",
             "GITHUB_ACTIONS": ""})
    assert result.exit_code == 2, result.output
    assert PASSWORD not in result.output
    assert "carries a user name or password" in result.output
