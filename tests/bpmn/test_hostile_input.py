"""Malformed and hostile BPMN: each one is a BpmnLoadError with located, coded findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.bpmn.parser import MAX_BPMN_BYTES, load_bpmn, parse_bpmn_bytes
from runner.errors import BpmnLoadError
from runner.findings import Finding, Location, Severity

MODEL_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
MINIMAL = (f'<bpmn:definitions xmlns:bpmn="{MODEL_NS}" id="d">'
           '<bpmn:process id="p"><bpmn:task id="T"/></bpmn:process></bpmn:definitions>')


def failure(data: bytes, file: str = "in.bpmn") -> tuple[Finding, ...]:
    with pytest.raises(BpmnLoadError) as caught:
        parse_bpmn_bytes(data, file)
    findings = caught.value.findings
    assert findings, "a BpmnLoadError always carries findings"
    assert all(f.severity is Severity.ERROR for f in findings)
    return findings


def only(findings: tuple[Finding, ...]) -> Finding:
    assert len(findings) == 1
    return findings[0]


def test_external_entity_is_refused_and_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    data = (f'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>\n'
            f'<bpmn:definitions xmlns:bpmn="{MODEL_NS}"><bpmn:process id="p" name="&xxe;"/>'
            '</bpmn:definitions>').encode()
    with pytest.raises(BpmnLoadError) as caught:
        parse_bpmn_bytes(data, "xxe.bpmn")
    finding = only(caught.value.findings)
    assert finding.code == "B02"
    assert finding.location == Location("xxe.bpmn", 2, 1)
    assert "DOCTYPE" in finding.message
    assert "TOP-SECRET-VALUE" not in str(caught.value) + finding.message


def test_billion_laughs_is_refused() -> None:
    entities = "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    data = (f'<!DOCTYPE d [<!ENTITY lol0 "lol">{entities}]>'
            f'<bpmn:definitions xmlns:bpmn="{MODEL_NS}"><bpmn:process id="p" name="&lol9;"/>'
            '</bpmn:definitions>').encode()
    finding = only(failure(data))
    assert finding.code == "B02"
    assert finding.location == Location("in.bpmn", 1, 1)


def test_external_dtd_is_refused() -> None:
    data = (b'<?xml version="1.0"?>\n<!-- a comment first -->\n'
            b'<!DOCTYPE definitions SYSTEM "http://attacker.example/bpmn.dtd">\n'
            + MINIMAL.encode())
    finding = only(failure(data))
    assert finding.code == "B02"
    assert finding.location == Location("in.bpmn", 3, 1)


def test_doctype_after_a_utf8_bom_is_refused_before_parsing() -> None:
    data = b"\xef\xbb\xbf<?xml version='1.0'?>\n\n<!DOCTYPE d [<!ENTITY e 'x'>]>\n" + (
        MINIMAL.encode())
    finding = only(failure(data))
    assert finding.code == "B02"
    assert finding.location == Location("in.bpmn", 3, 1)


def test_doctype_in_utf16_is_refused() -> None:
    data = ('<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE d [<!ENTITY e "x">]>\n'
            + MINIMAL).encode("utf-16")
    assert only(failure(data)).code == "B02"


def test_doctype_text_inside_content_is_not_a_declaration() -> None:
    data = (f'<bpmn:definitions xmlns:bpmn="{MODEL_NS}"><bpmn:process id="p">'
            '<bpmn:documentation><![CDATA[<!DOCTYPE html>]]></bpmn:documentation>'
            '</bpmn:process></bpmn:definitions>').encode()
    assert parse_bpmn_bytes(data, "in.bpmn").process("p") is not None


def test_oversize_is_refused_before_parsing() -> None:
    data = MINIMAL.encode() + b" " * MAX_BPMN_BYTES
    finding = only(failure(data, "big.bpmn"))
    assert finding.code == "B03"
    assert finding.location == Location("big.bpmn")


def test_oversize_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.bpmn"
    path.write_bytes(MINIMAL.encode() + b" " * MAX_BPMN_BYTES)
    with pytest.raises(BpmnLoadError) as caught:
        load_bpmn(path, display_path="big.bpmn")
    assert only(caught.value.findings).code == "B03"


@pytest.mark.parametrize(("data", "line", "column", "words"), [
    (b"this is not xml", 1, 1, "Start tag expected"),
    (b"", 1, 1, "Document is empty"),
    (b'<bpmn:definitions xmlns:bpmn="x">\n<bpmn:process id="p">\n</bpmn:definitions>', 3, 20,
     "mismatch"),
    (b'<a>\n <b x=1/></a>', 2, 7, "AttValue"),
])
def test_not_well_formed(data: bytes, line: int, column: int, words: str) -> None:
    finding = only(failure(data))
    assert finding.code == "B01"
    assert finding.location == Location("in.bpmn", line, column)
    assert words in finding.message
    assert "column" not in finding.message, "the position belongs in the location"


@pytest.mark.parametrize("data", [
    b'<definitions><process id="p"/></definitions>',
    b'<definitions xmlns="http://not-bpmn"><process id="p"/></definitions>',
    f'<bpmn:process xmlns:bpmn="{MODEL_NS}" id="p"/>'.encode(),
])
def test_root_must_be_bpmn_definitions(data: bytes) -> None:
    finding = only(failure(data))
    assert finding.code == "B04"
    assert finding.location == Location("in.bpmn", 1)


def test_duplicate_ids_are_all_reported_at_the_second_occurrence() -> None:
    data = (f'<bpmn:definitions xmlns:bpmn="{MODEL_NS}" id="d">\n'
            '<bpmn:process id="p">\n'
            '<bpmn:task id="A"/>\n'
            '<bpmn:task id="B"/>\n'
            '<bpmn:task id="A"/>\n'
            '<bpmn:task id="p"/>\n'
            '</bpmn:process></bpmn:definitions>').encode()
    findings = failure(data)
    assert [(f.code, f.location) for f in findings] == [
        ("B05", Location("in.bpmn", 5)), ("B05", Location("in.bpmn", 6))]
    assert "'A'" in findings[0].message and "line 3" in findings[0].message


def test_vendor_extension_ids_do_not_clash_with_bpmn_ids() -> None:
    data = (f'<bpmn:definitions xmlns:bpmn="{MODEL_NS}" xmlns:v="urn:vendor">'
            '<bpmn:process id="p"><bpmn:extensionElements><v:principal id="User"/>'
            '<v:principal id="User"/><v:target id="p"/></bpmn:extensionElements>'
            '</bpmn:process></bpmn:definitions>').encode()
    assert parse_bpmn_bytes(data, "in.bpmn").process("p") is not None


@pytest.mark.parametrize("body", ["", '<bpmn:collaboration id="c"/>'])
def test_no_process(body: str) -> None:
    data = f'<bpmn:definitions xmlns:bpmn="{MODEL_NS}">{body}</bpmn:definitions>'.encode()
    finding = only(failure(data))
    assert finding.code == "B06"
    assert finding.location == Location("in.bpmn", 1)


@pytest.mark.parametrize(("attached", "words"), [
    ("", "has no attachedToRef"),
    (' attachedToRef="Nowhere"', "attached to 'Nowhere'"),
    (' attachedToRef="G"', "attached to 'G'"),
    (' attachedToRef="Elsewhere"', "attached to 'Elsewhere'"),
])
def test_boundary_event_must_be_attached_to_an_activity_of_its_process(
        attached: str, words: str) -> None:
    data = (f'<bpmn:definitions xmlns:bpmn="{MODEL_NS}">\n<bpmn:process id="p">\n'
            '<bpmn:task id="T"/><bpmn:exclusiveGateway id="G"/>\n'
            f'<bpmn:boundaryEvent id="B"{attached}/>\n</bpmn:process>\n'
            '<bpmn:process id="q"><bpmn:task id="Elsewhere"/></bpmn:process>\n'
            '</bpmn:definitions>').encode()
    finding = only(failure(data))
    assert finding.code == "B08"
    assert finding.location == Location("in.bpmn", 4)
    assert words in finding.message


@pytest.mark.parametrize(("encoding", "codec", "bom", "name"), [
    ("UTF-8", "utf-8", b"\xef\xbb\xbf", "Prüfung € ✓"),
    ("windows-1252", "cp1252", b"", "Prüfung €5"),
    ("ISO-8859-1", "latin-1", b"", "Prüfung ½"),
    ("UTF-16", "utf-16", b"", "Prüfung € ✓"),
])
def test_declared_encodings_parse(encoding: str, codec: str, bom: bytes, name: str) -> None:
    text = (f'<?xml version="1.0" encoding="{encoding}"?>\n'
            f'<bpmn:definitions xmlns:bpmn="{MODEL_NS}"><bpmn:process id="p">'
            f'<bpmn:task id="T" name="{name}"/></bpmn:process></bpmn:definitions>')
    model = parse_bpmn_bytes(bom + text.encode(codec), "enc.bpmn").process("p")
    assert model is not None
    assert model.elements["T"].name == name


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(BpmnLoadError) as caught:
        load_bpmn(tmp_path / "nope.bpmn", display_path="bpmn/nope.bpmn")
    finding = only(caught.value.findings)
    assert finding.code == "B07"
    assert finding.location == Location("bpmn/nope.bpmn")
    assert "not found" in finding.message


def test_directory_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(BpmnLoadError) as caught:
        load_bpmn(tmp_path)
    finding = only(caught.value.findings)
    assert finding.code == "B07"
    assert finding.location == Location(str(tmp_path))


def test_too_deep_nesting_is_a_located_b01_in_our_words() -> None:
    body = "<bpmn:subProcess>" * 300 + "</bpmn:subProcess>" * 300
    data = (f'<bpmn:definitions xmlns:bpmn="{MODEL_NS}"><bpmn:process id="P">{body}'
            "</bpmn:process></bpmn:definitions>").encode()
    with pytest.raises(BpmnLoadError) as caught:
        parse_bpmn_bytes(data, "deep.bpmn")
    (finding,) = caught.value.findings
    assert finding.code == "B01"
    assert finding.message == "not well-formed XML: elements nest deeper than 256 levels"
    assert finding.location is not None and finding.location.line == 1


@pytest.mark.parametrize(("element", "words"), [
    ("<bpmn:serviceTask/>", "serviceTask without an id"),
    ('<bpmn:userTask id=""/>', "userTask without an id"),
    ('<bpmn:subProcess id="S">\n<bpmn:endEvent id=" "/></bpmn:subProcess>',
     "endEvent without an id"),
    ('<bpmn:sequenceFlow sourceRef="T" targetRef="T"/>', "sequenceFlow without an id"),
])
def test_flow_element_without_an_id_is_b09(element: str, words: str) -> None:
    data = (f'<bpmn:definitions xmlns:bpmn="{MODEL_NS}">\n<bpmn:process id="p">\n'
            f'<bpmn:task id="T"/>\n{element}\n</bpmn:process>\n</bpmn:definitions>').encode()
    finding = only(failure(data))
    assert finding.code == "B09" and words in finding.message
    assert finding.location is not None and finding.location.line in (4, 5)
    assert finding.hint is not None and "Zeebe refuses to deploy" in finding.hint


@pytest.mark.parametrize(("refs", "words"), [
    ('sourceRef="T" targetRef="Nowhere"', "targetRef 'Nowhere' is not a flow node"),
    ('sourceRef="Gone" targetRef="T"', "sourceRef 'Gone' is not a flow node"),
    ('sourceRef="T" targetRef="Elsewhere"', "targetRef 'Elsewhere' is not a flow node"),
    ('targetRef="T"', "has no sourceRef"),
    ('sourceRef="T" targetRef=""', "has no targetRef"),
    ('sourceRef="T" targetRef="F0"', "targetRef 'F0' is not a flow node"),
])
def test_sequence_flow_to_a_missing_element_is_b10(refs: str, words: str) -> None:
    data = (f'<bpmn:definitions xmlns:bpmn="{MODEL_NS}">\n<bpmn:process id="p">\n'
            '<bpmn:task id="T"/><bpmn:sequenceFlow id="F0" sourceRef="T" targetRef="T"/>\n'
            f'<bpmn:sequenceFlow id="F" {refs}/>\n</bpmn:process>\n'
            '<bpmn:process id="q"><bpmn:task id="Elsewhere"/></bpmn:process>\n'
            '</bpmn:definitions>').encode()
    finding = only(failure(data))
    assert finding.code == "B10"
    assert finding.location == Location("in.bpmn", 4)
    assert finding.message.startswith("sequence flow 'F' ") and words in finding.message


def test_flows_between_nested_elements_of_one_process_are_fine() -> None:
    data = (f'<bpmn:definitions xmlns:bpmn="{MODEL_NS}"><bpmn:process id="p">'
            '<bpmn:startEvent id="S"/><bpmn:subProcess id="Sub"><bpmn:task id="T"/>'
            '<bpmn:complexGateway id="C"/>'
            '<bpmn:sequenceFlow id="F1" sourceRef="T" targetRef="C"/></bpmn:subProcess>'
            '<bpmn:sequenceFlow id="F2" sourceRef="S" targetRef="Sub"/>'
            '</bpmn:process></bpmn:definitions>').encode()
    model = parse_bpmn_bytes(data, "ok.bpmn").process("p")
    assert model is not None and model.elements["F1"].target_ref == "C"
