"""BPMN: a secure lxml parser and a typed model of one executable process."""
