"""Reference data behind the chart: the ICD-10-CM code set (from the simple-icd-10-cm package, which
bundles the CMS code files) and the reviewed drug-class catalog (frontdesk/data/drug_classes.json)."""

from __future__ import annotations

import json
import threading
import warnings
from functools import lru_cache
from importlib.resources import files
from typing import Any

from frontdesk.domain.clinical.codes import icd10_format
from frontdesk.domain.clinical.drugs import DrugCatalog
from frontdesk.domain.errors import Invalid
from frontdesk.domain.text import fold
from frontdesk.services.clinical.dto import CodeInfo

_lock = threading.Lock()
_index: list[tuple[str, str, str]] | None = None  # (code, folded description, description)


@lru_cache(maxsize=1)
def _icd() -> Any:
    with warnings.catch_warnings():
        # The package reads its bundled files with importlib.resources.read_text, deprecated in 3.11+.
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm

    return simple_icd_10_cm


def icd10_version() -> str:
    names = [p.name for p in files("simple_icd_10_cm.data").iterdir() if p.name.startswith("code-list")]
    return names[0].removeprefix("code-list-").removesuffix(".txt") if names else "unknown"


def icd10(value: str, *, field: str = "code") -> CodeInfo:
    """A real, billable ICD-10-CM code (a category such as E11 is refused: pick a specific code)."""
    code = icd10_format(value, field=field)
    cm: Any = _icd()
    if not cm.is_valid_item(code) or cm.is_chapter_or_block(code):
        raise Invalid(
            f"{field}: {code} is not in the ICD-10-CM code set ({icd10_version()}); search with action "
            "search_codes",
            field=field,
        )
    if not cm.is_leaf(code):
        raise Invalid(
            f"{field}: {code} is a category, not a billable code; choose a more specific code under it "
            "(search with action search_codes)",
            field=field,
        )
    return CodeInfo(code=code, description=str(cm.get_description(code)), billable=True)


def _codes() -> list[tuple[str, str, str]]:
    global _index
    with _lock:
        if _index is None:
            cm: Any = _icd()
            out = []
            for code in cm.get_all_codes(True):
                if cm.is_chapter_or_block(code):
                    continue
                desc = str(cm.get_description(code))
                out.append((code, fold(desc), desc))
            _index = out
        return _index


def search_icd10(query: str, limit: int = 25) -> list[CodeInfo]:
    """Codes whose code starts with the query, or whose description holds every word of it; billable
    codes first, then shorter (more general) codes."""
    text = (query or "").strip()
    if len(text) < 2 or len(text) > 100:
        raise Invalid(
            "query must be 2 to 100 characters: a code (E11) or words (type 2 diabetes)", field="query"
        )
    cm: Any = _icd()
    as_code = text.upper().replace(" ", "")
    words = fold(text).split()
    found: list[tuple[tuple[int, int, int, str], CodeInfo]] = []
    for code, folded, desc in _codes():
        by_code = code.startswith(as_code) or code.replace(".", "").startswith(as_code.replace(".", ""))
        if not by_code and not all(w in folded for w in words):
            continue
        leaf = bool(cm.is_leaf(code))
        rank = (0 if code == as_code else 1 if by_code else 2, 0 if leaf else 1, len(code), code)
        found.append((rank, CodeInfo(code=code, description=desc, billable=leaf)))
    found.sort(key=lambda x: x[0])
    return [info for _, info in found[: max(1, min(limit, 50))]]


@lru_cache(maxsize=1)
def drug_catalog() -> DrugCatalog:
    raw = files("frontdesk.data").joinpath("drug_classes.json").read_text(encoding="utf-8")
    return DrugCatalog.from_dict(json.loads(raw))
