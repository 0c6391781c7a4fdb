"""Dry run, apply, journal and audit: what c8migrate does against a live cluster."""
