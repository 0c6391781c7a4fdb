"""Turning untrusted bytes into an lxml tree without letting the document reach out.

BPMN files arrive in pull requests, so the parser is configured never to touch the network
or the file system, never to load or apply a DTD and never to expand entities. On top of
that, any document that carries a DOCTYPE at all is refused: a BPMN file never needs one,
and refusing it stops external entities (XXE) and entity expansion bombs (billion laughs)
before libxml2 sees them. Every failure is a ``BpmnLoadError`` holding one located Finding.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from lxml import etree

from runner.errors import BpmnLoadError
from runner.findings import Finding, Location, Severity

MAX_BPMN_BYTES = 10 * 1024 * 1024
"""Largest BPMN file we parse (10 MiB; the biggest real model in our corpus is ~0.2 MiB)."""

_PROLOG_DOCTYPE = re.compile(
    r"\A\ufeff?\s*(?:<\?xml.*?\?>)?(?:\s+|<!--.*?-->|<\?.*?\?>)*<!DOCTYPE", re.DOTALL
)
_LXML_POSITION_SUFFIX = re.compile(r", line \d+, column \d+$")
MAX_XML_DEPTH = 256
"""libxml2's nesting bound without XML_PARSE_HUGE; real BPMN nests a few dozen levels."""


def load_error(code: str, message: str, location: Location, hint: str | None = None) -> (
        BpmnLoadError):
    """A BpmnLoadError carrying one error Finding with ``code`` at ``location``."""
    finding = Finding(code, Severity.ERROR, message, location, hint=hint)
    return BpmnLoadError(f"{location}: {message}", hint=hint, findings=(finding,))


def _scan_text(data: bytes) -> str:
    """The bytes as text good enough to find markup: UTF-16 decoded, else byte-for-byte."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16", errors="replace")
    if data[:2] == b"<\x00":
        return data.decode("utf-16-le", errors="replace")
    if data[:2] == b"\x00<":
        return data.decode("utf-16-be", errors="replace")
    if data[:3] == b"\xef\xbb\xbf":
        data = data[3:]
    # latin-1 maps every byte to one character, so ASCII markup stays where it is.
    return data.decode("latin-1")


_UTF16_STARTS = (b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<")


def _doctype_position(data: bytes) -> tuple[int, int] | None:
    """(line, column) of a DOCTYPE declaration in the prolog, or None when there is none."""
    if data[:2] not in _UTF16_STARTS and b"<!DOCTYPE" not in data:
        return None  # 8-bit encodings: no need to decode the whole file to know
    text = _scan_text(data)
    if "<!DOCTYPE" not in text:
        # The regex cannot match without it, and on failure its lazy `.*?` walks the whole
        # file; this check keeps DOCTYPE-free files (all real ones) linear and cheap.
        return None
    match = _PROLOG_DOCTYPE.match(text)
    if match is None:
        return None
    start = match.end() - len("<!DOCTYPE")
    line = text.count("\n", 0, start) + 1
    column = start - (text.rfind("\n", 0, start) + 1) + 1
    return line, column


def _refuse_doctype(file: str, line: int | None, column: int | None) -> BpmnLoadError:
    return load_error(
        "B02",
        "the document has a DOCTYPE declaration; DTDs and entities are refused "
        "(they enable external-entity and entity-expansion attacks)",
        Location(file, line, column),
        hint="BPMN files never need a DOCTYPE: remove it and any entity references",
    )


_parsers = threading.local()


def _parser() -> etree.XMLParser:
    """This thread's parser (a parser may serve one thread at a time; making one per file
    costs more than parsing a small file)."""
    parser: etree.XMLParser | None = getattr(_parsers, "parser", None)
    if parser is None:
        parser = _parsers.parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
    return parser


def parse_secure(data: bytes, file: str) -> etree._Element:
    """The root element of ``data``; raises BpmnLoadError B03 (too large), B02 (DOCTYPE) or
    B01 (not well-formed). Encodings come from the BOM or the XML declaration."""
    if len(data) > MAX_BPMN_BYTES:
        raise load_error(
            "B03",
            f"the file is {len(data)} bytes; BPMN files larger than {MAX_BPMN_BYTES} bytes "
            "are refused",
            Location(file),
        )
    doctype = _doctype_position(data)
    if doctype is not None:
        raise _refuse_doctype(file, *doctype)
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (None, None)
        reason = _LXML_POSITION_SUFFIX.sub("", str(exc.msg or exc))
        if reason.startswith("Excessive depth in document"):
            # libxml2's own text advises XML_PARSE_HUGE, which we leave off on purpose.
            reason = f"elements nest deeper than {MAX_XML_DEPTH} levels"
        raise load_error(
            "B01", f"not well-formed XML: {reason}", Location(file, line or None, column or None)
        ) from exc
    except (ValueError, etree.LxmlError) as exc:
        raise load_error("B01", f"not well-formed XML: {exc}", Location(file)) from exc
    docinfo: Any = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise _refuse_doctype(file, 1, None)
    return root
