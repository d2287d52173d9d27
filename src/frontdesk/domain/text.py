"""Text folding for search: case- and accent-insensitive."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """'José  Pérez' -> 'jose perez'."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())
