"""Prescribing checks: drug-class allergy and cross-sensitivity, duplicate therapy.

The catalog (which drug belongs to which class, which classes cross-react) is data: the reviewed file
frontdesk/data/drug_classes.json, whose README states its sources and limits. This module only reads
it and applies it. It is a safety net for obvious collisions, not a drug-interaction database."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

_WORD = re.compile(r"[a-z0-9]+")


def tokens(text: str) -> tuple[str, ...]:
    """'Amoxicillin/Clavulanate 875 mg' -> ('amoxicillin', 'clavulanate', '875', 'mg')."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return tuple(_WORD.findall(plain))


def _contains(haystack: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    n = len(needle)
    return n > 0 and any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


@dataclass(frozen=True, slots=True)
class DrugClass:
    key: str
    name: str
    aliases: tuple[tuple[str, ...], ...]  # words that name the class itself ("penicillin", "sulfa")
    members: Mapping[str, tuple[tuple[str, ...], ...]]  # generic name -> its names (generic + brands)
    duplicate_therapy: bool  # two active drugs of this class at once are a duplicate therapy
    # False for an umbrella class (e.g. all opioids) whose members do not cross-react as allergens;
    # an allergy recorded by the umbrella's own name still covers every member.
    allergy_group: bool = True


@dataclass(frozen=True, slots=True)
class CrossSensitivity:
    classes: frozenset[str]
    risk: str  # low | moderate | high
    note: str


@dataclass(frozen=True, slots=True)
class Match:
    drug_class: str
    member: str | None  # None: the text names the class itself


@dataclass(frozen=True, slots=True)
class DrugCatalog:
    version: str
    classes: Mapping[str, DrugClass]
    cross: tuple[CrossSensitivity, ...] = field(default=())

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DrugCatalog:
        """Build from the data file's JSON, refusing a malformed file loudly (a reviewer's typo must not
        silently disable a check)."""
        classes: dict[str, DrugClass] = {}
        for key, raw in dict(data["classes"]).items():
            members: dict[str, tuple[tuple[str, ...], ...]] = {}
            for generic, brands in dict(raw["members"]).items():
                names = (tokens(generic), *(tokens(b) for b in brands))
                if not all(names):
                    raise ValueError(f"drug class {key}: an empty drug name")
                members[" ".join(tokens(generic))] = names
            if not members:
                raise ValueError(f"drug class {key} has no members")
            classes[key] = DrugClass(
                key=key,
                name=str(raw["name"]),
                aliases=tuple(tokens(a) for a in raw.get("aliases", [])),
                members=members,
                duplicate_therapy=bool(raw.get("duplicate_therapy", True)),
                allergy_group=bool(raw.get("allergy_group", True)),
            )
        cross = []
        for raw in data.get("cross_sensitivity", []):
            pair = frozenset(raw["classes"])
            unknown = pair - set(classes)
            if len(pair) != 2 or unknown:
                raise ValueError(f"cross_sensitivity {sorted(pair)}: needs two known classes")
            if raw["risk"] not in ("low", "moderate", "high"):
                raise ValueError(f"cross_sensitivity {sorted(pair)}: risk must be low, moderate or high")
            cross.append(CrossSensitivity(pair, str(raw["risk"]), str(raw["note"])))
        return cls(version=str(data["version"]), classes=classes, cross=tuple(cross))

    def match(self, text: str) -> list[Match]:
        """Every class the text names, as a drug of the class or as the class itself."""
        words = tokens(text)
        out: list[Match] = []
        for c in self.classes.values():
            member = next(
                (g for g, names in c.members.items() if any(_contains(words, n) for n in names)), None
            )
            if member is not None:
                out.append(Match(c.key, member))
            elif any(_contains(words, a) for a in c.aliases):
                out.append(Match(c.key, None))
        return out

    def class_names(self, keys: Iterable[str]) -> list[str]:
        return [self.classes[k].name for k in keys if k in self.classes]

    def cross_between(self, a: str, b: str) -> CrossSensitivity | None:
        pair = frozenset({a, b})
        return next((x for x in self.cross if x.classes == pair), None)


@dataclass(frozen=True, slots=True)
class AllergyFact:
    id: int
    allergen: str


@dataclass(frozen=True, slots=True)
class MedicationFact:
    id: int
    drug_name: str


@dataclass(frozen=True, slots=True)
class Alert:
    kind: str  # allergy | allergy_class | cross_sensitivity | duplicate_drug | duplicate_therapy
    risk: str  # high | moderate | low
    record_type: str  # allergy | medication
    record_id: int
    drug_class: str | None
    reason: str


def check_prescription(
    catalog: DrugCatalog,
    drug_name: str,
    allergies: Sequence[AllergyFact],
    medications: Sequence[MedicationFact],
) -> list[Alert]:
    """Alerts against the patient's active drug allergies and active medications; empty when clear."""
    drug_words = tokens(drug_name)
    drug = catalog.match(drug_name)
    members = sorted({m.member for m in drug if m.member})
    label = " / ".join(members) if members else (" ".join(drug_words) or drug_name)
    alerts: list[Alert] = []
    for a in allergies:
        alerts.extend(_allergy_alerts(catalog, label, drug_words, drug, a))
    for m in medications:
        alert = _duplicate_alert(catalog, label, drug_words, drug, m)
        if alert is not None:
            alerts.append(alert)
    seen: set[tuple[str, int, str | None]] = set()
    unique = []
    for alert in alerts:
        key = (alert.kind, alert.record_id, alert.drug_class)
        if key not in seen:
            seen.add(key)
            unique.append(alert)
    return unique


def _allergy_alerts(
    catalog: DrugCatalog, label: str, words: tuple[str, ...], drug: list[Match], a: AllergyFact
) -> list[Alert]:
    allergen = catalog.match(a.allergen)
    members = {m.member for m in drug if m.member}
    if tokens(a.allergen) == words or any(m.member in members for m in allergen if m.member):
        return [Alert("allergy", "high", "allergy", a.id, None, f"the patient is allergic to {label}")]
    named = {
        m.drug_class for m in allergen if m.member is None or catalog.classes[m.drug_class].allergy_group
    }
    shared = sorted({m.drug_class for m in drug} & named)
    if shared:
        name = catalog.classes[shared[0]].name
        return [
            Alert(
                "allergy_class",
                "high",
                "allergy",
                a.id,
                shared[0],
                f"{label} belongs to {name}, a class the patient has an active drug allergy to",
            )
        ]
    out: list[Alert] = []
    for d in drug:
        for al in allergen:
            cross = catalog.cross_between(d.drug_class, al.drug_class)
            if cross is not None:
                out.append(
                    Alert(
                        "cross_sensitivity",
                        cross.risk,
                        "allergy",
                        a.id,
                        d.drug_class,
                        f"{label} ({catalog.classes[d.drug_class].name}) can cross-react with "
                        f"{catalog.classes[al.drug_class].name}, to which the patient has an active drug "
                        f"allergy; {cross.risk} risk: {cross.note}",
                    )
                )
    return out


def _duplicate_alert(
    catalog: DrugCatalog, label: str, words: tuple[str, ...], drug: list[Match], m: MedicationFact
) -> Alert | None:
    current = catalog.match(m.drug_name)
    members = {x.member for x in drug if x.member}
    if tokens(m.drug_name) == words or any(x.member in members for x in current if x.member):
        return Alert(
            "duplicate_drug", "high", "medication", m.id, None, f"{label} is already an active medication"
        )
    shared = sorted(
        k
        for k in {x.drug_class for x in drug} & {x.drug_class for x in current}
        if catalog.classes[k].duplicate_therapy
    )
    if shared:
        name = catalog.classes[shared[0]].name
        return Alert(
            "duplicate_therapy",
            "moderate",
            "medication",
            m.id,
            shared[0],
            f"{label} duplicates an active medication of the same class ({name})",
        )
    return None
