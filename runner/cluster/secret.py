"""A wrapper that keeps secrets (client secrets, tokens, passwords) out of every text.

``str()``, ``repr()`` and f-strings of a :class:`Secret` give ``***``; only :meth:`reveal`
returns the value, and only the code that puts it on the wire (runner/cluster/auth.py) calls it.
"""

from __future__ import annotations

from collections.abc import Iterable

MASK = "***"


class Secret:
    """An opaque secret value. Its text form is always ``***``."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret itself. Call only where it goes on the wire."""
        return self._value

    def __repr__(self) -> str:
        return MASK

    def __str__(self) -> str:
        return MASK

    def __format__(self, format_spec: str) -> str:
        return MASK

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __reduce__(self) -> tuple[type[Secret], tuple[str]]:
        # Pickling keeps working (thread pools, multiprocessing) without exposing the value
        # in any text form.
        return (Secret, (self._value,))


def scrub(text: str, secrets: Iterable[Secret | None]) -> str:
    """``text`` with every occurrence of any of ``secrets`` replaced by ``***``.

    Used on texts that come from outside (a token endpoint's error body, say) before they go
    into an exception message, in case a server echoes what we sent.
    """
    for secret in secrets:
        if secret is not None and secret.reveal():
            text = text.replace(secret.reveal(), MASK)
    return text
