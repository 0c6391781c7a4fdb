"""Field cases of ../shared/reference/field-cases.md that concern validation, run through the
real `c8migrate validate` command on plan + BPMN pairs under data/<case id>/.

Each test is named after its case id and checks the verdict the case calls correct ("Expected")
on the server versions the case is about. Offline validation sees no instances, so where a
case depends on instance state (incidents, child instances, pending distributions), the test
says what the offline answer should be instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from runner.cli.main import cli

DATA = Path(__file__).parent / "data"
ENV = {"GITHUB_ACTIONS": "", "GITHUB_STEP_SUMMARY": ""}


@dataclass(frozen=True)
class Outcome:
    """Exit code and findings of validating one plan."""

    exit_code: int
    findings: list[dict[str, Any]]

    def codes(self, severity: str | None = None) -> list[str]:
        return [f["code"] for f in self.findings if severity in (None, f["severity"])]

    def only_error(self, code: str) -> str:
        """The message of the single error finding, which must have ``code``."""
        errors = [f for f in self.findings if f["severity"] == "error"]
        assert [f["code"] for f in errors] == [code], self.findings
        assert self.exit_code == 1
        return str(errors[0]["message"])

    @property
    def accepted(self) -> bool:
        return self.exit_code == 0 and not self.codes("error")


def validate(case_file: str, server: str, *extra: str) -> Outcome:
    path = DATA / case_file
    result = CliRunner().invoke(cli, ["validate", "--format", "json", "--server-version",
                                      server, *extra, str(path)], env=ENV)
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.output)
    (plan,) = report["plans"]
    for finding in plan["findings"]:  # every finding is located in the plan file
        assert finding["location"]["file"] == str(path)
        assert finding["location"]["line"] >= 1
    return Outcome(result.exit_code, plan["findings"])


def test_C01_message_boundary_on_a_task_with_incident_is_accepted_from_8_5() -> None:
    assert "Z12" in validate("C01/plan.yaml", "8.4").codes("error")
    for server in ("8.5", "8.6", "8.9"):
        outcome = validate("C01/plan.yaml", server)
        assert outcome.accepted and outcome.findings == [], server


def test_C04_process_id_change_with_message_start_warns_but_is_accepted() -> None:
    outcome = validate("C04/plan.yaml", "8.6")
    assert outcome.accepted
    assert "W09" in outcome.codes("warning")
    assert validate("C04/plan.yaml", "8.6", "--strict").exit_code == 1


def test_C06_multi_instance_with_new_event_subprocess_accepted_from_8_6() -> None:
    for server in ("8.4", "8.5"):
        validate("C06/plan.yaml", server).only_error("Z11")
    for server in ("8.6", "8.9"):
        outcome = validate("C06/plan.yaml", server)
        assert outcome.accepted and outcome.codes("error") == [], server


def test_C11_two_hops_job_worker_to_camunda_user_task_accepted_on_8_9() -> None:
    first = validate("C11/hop1.yaml", "8.9")
    assert first.accepted and first.codes() == ["W11"]
    second = validate("C11/hop2.yaml", "8.9")
    assert second.accepted and second.findings == []


def test_C14_signal_boundary_added_rejected_on_8_5_accepted_from_8_6() -> None:
    message = validate("C14/signal-added.yaml", "8.5").only_error("Z12")
    assert "target element with id 'T'" in message and "'SIGNAL'" in message
    assert validate("C14/signal-added.yaml", "8.6").accepted


def test_C14_timer_boundary_removed_or_added_accepted_from_8_6() -> None:
    removed = validate("C14/timer-removed.yaml", "8.6")
    assert removed.accepted and removed.codes() == ["W07"]  # the timer is closed
    added = validate("C14/timer-added.yaml", "8.6")
    assert added.accepted and added.codes("error") == []


def test_C15_unmapped_active_element_is_named() -> None:
    for server in ("8.4", "8.9"):
        message = validate("C15/plan.yaml", server).only_error("Z07")
        assert "no mapping instruction defined for active element with id 'S2'" in message


def test_C26_flow_scope_change_into_a_subprocess_names_both_scopes() -> None:
    message = validate("C26/into-subprocess.yaml", "8.9").only_error("Z10")
    assert "active element with id 'A'" in message
    assert "expected to be 'P' but was 'S'" in message


def test_C26_subprocess_removed_around_the_active_element_is_rejected() -> None:
    # Zeebe checks the container first: the active sub-process S has no mapping.
    message = validate("C26/out-of-subprocess.yaml", "8.9").only_error("Z07")
    assert "active element with id 'S'" in message


def test_C27_user_task_implementation_change_by_version() -> None:
    for server in ("8.5", "8.8"):
        validate("C27/to-camunda.yaml", server).only_error("Z09")
        validate("C27/to-job-worker.yaml", server).only_error("Z09")
    to_camunda = validate("C27/to-camunda.yaml", "8.9")
    assert to_camunda.accepted and "W11" in to_camunda.codes("warning")
    validate("C27/to-job-worker.yaml", "8.9").only_error("Z09")


def test_C28_incidents_are_no_obstacle_from_8_5() -> None:
    for server in ("8.5", "8.9"):
        outcome = validate("C28/plan.yaml", server)
        assert outcome.accepted and outcome.findings == []


def test_C28_incidents_on_8_4_are_flagged_offline() -> None:
    # Offline there are no instances: 8.4's incident rejection (Z21B) is a note, not an error.
    outcome = validate("C28/plan.yaml", "8.4")
    assert outcome.accepted and outcome.codes() == ["N21"]
    assert outcome.findings[0]["severity"] == "note"
    assert "Z21B" in outcome.findings[0]["message"]


def test_C29_child_instances_are_no_obstacle_from_8_5() -> None:
    for server in ("8.5", "8.9"):
        assert validate("C29/plan.yaml", server).accepted


def test_C29_child_instances_on_8_4_are_flagged_offline() -> None:
    outcome = validate("C29/plan.yaml", "8.4")
    assert outcome.accepted and outcome.codes() == ["N21"]
    assert "Z21A" in outcome.findings[0]["message"]
    assert "N21" not in validate("C29/plan.yaml", "8.5").codes()


def test_C31a_active_element_not_mapped() -> None:
    message = validate("C31/a-active-not-mapped.yaml", "8.6").only_error("Z07")
    assert "active element with id 'B'" in message


def test_C31b_element_type_change() -> None:
    message = validate("C31/b-type-change.yaml", "8.6").only_error("Z08")
    assert "'SERVICE_TASK'" in message and "'USER_TASK'" in message


@pytest.mark.parametrize("case_file, missing", [
    ("C31/c-missing-id.yaml", "non-existing target element id 'U_Typo'"),
    ("C31/c-missing-source-id.yaml", "non-existing source element id 'Gone'"),
])
def test_C31c_unknown_element_id(case_file: str, missing: str) -> None:
    assert missing in validate(case_file, "8.6").only_error("Z05")


def test_C31d_two_instructions_target_the_same_catch_event() -> None:
    validate("C31/d-two-instructions-one-catch-event.yaml", "8.6").only_error("Z14")


def test_C31e_boundary_event_detached_to_another_element() -> None:
    message = validate("C31/e-boundary-detached.yaml", "8.6").only_error("Z13")
    assert "'TA'" in message and "'TB'" in message


def test_C31f_two_source_catch_events_merged() -> None:
    message = validate("C31/f-two-sources-merged.yaml", "8.6").only_error("Z14")
    assert "'K1', 'K2'" in message


def test_C31g_catch_event_type_change() -> None:
    validate("C31/g-event-type-change.yaml", "8.6").only_error("Z15")


def test_C31h_pending_distribution_is_a_documented_runtime_note() -> None:
    # Offline the mapped message boundary is fine; the pending distribution is a runtime
    # state, documented as note N18 (transient, retried by apply).
    assert validate("C31/h-message-subscription.yaml", "8.6").accepted
    result = CliRunner().invoke(cli, ["rules", "N18"], env=ENV)
    assert result.exit_code == 0
    assert "transient: retried by apply" in result.output and "Z18A" in result.output


@pytest.mark.parametrize("case_file", ["C31/i-parallel-to-sequential.yaml",
                                       "C31/i-sequential-to-parallel.yaml"])
def test_C31i_multi_instance_loop_kind_change(case_file: str) -> None:
    validate(case_file, "8.6").only_error("Z16")


def test_C31k_unmapped_catch_event_with_the_same_message_name() -> None:
    message = validate("C31/k-same-message-name-unmapped.yaml", "8.6").only_error("Z18B")
    assert "'cancel'" in message


def test_C31l_target_joining_gateway_with_fewer_incoming_flows() -> None:
    validate("C31/l-fewer-incoming-flows.yaml", "8.8").only_error("Z19C")


def test_C31l_flow_mapped_without_its_gateway() -> None:
    # Zeebe rejects only instances with a taken flow into 'Join'; offline that is unknown,
    # so it is a warning (docs/validation.md), an error with --strict.
    outcome = validate("C31/l-flow-without-gateway.yaml", "8.8")
    assert outcome.codes() == ["Z19A"] and outcome.codes("warning") == ["Z19A"]
    assert "gateway 'Join' has at least one incoming sequence flow taken" in str(
        outcome.findings[0]["message"])
    assert validate("C31/l-flow-without-gateway.yaml", "8.8", "--strict").exit_code == 1
