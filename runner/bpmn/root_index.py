"""Root-level definitions of a BPMN file that flow elements refer to by id."""

from __future__ import annotations

from lxml import etree

from runner.bpmn.namespaces import MODEL_PREFIX, ZEEBE_PREFIX, model_children, zeebe_extensions


class RootIndex:
    """Root-level definitions that flow elements refer to (messages, signals, errors...)."""

    def __init__(self, root: etree._Element) -> None:
        self.by_id: dict[str, etree._Element] = {}
        for child in model_children(root):
            child_id = child.get("id")
            if child_id is not None:
                self.by_id[child_id] = child

    def attribute(self, ref: str | None, local: str, attribute: str) -> str | None:
        """``attribute`` of the root element ``ref`` when it is a MODEL ``local`` element."""
        target = self.by_id.get(ref) if ref else None
        if target is None or target.tag != MODEL_PREFIX + local:
            return None
        return target.get(attribute)

    def correlation_key(self, message_ref: str | None) -> str | None:
        """The zeebe:subscription correlationKey of the message ``message_ref``."""
        message = self.by_id.get(message_ref) if message_ref else None
        if message is None:
            return None
        for ext in zeebe_extensions(message):
            if ext.tag == f"{ZEEBE_PREFIX}subscription":
                return ext.get("correlationKey")
        return None
