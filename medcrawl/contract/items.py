"""One item class per output file. Ids link them: answers and causes point to their
question, questions to encyclopedia entries, drugs and recommended doctors.

Dates come as `<name>_at_raw` (as published) and `<name>_at` (ISO 8601, parsed by the
loaders against the page's fetch time: `medcrawl.extract.loaders.to_iso_date`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Version of the output contract (medcrawl/schemas/); every record carries it. SemVer: a new
#: optional field is minor, a removed or renamed field or a changed type is major.
SCHEMA_VERSION = "1.2.0"


@dataclass
class Question:
    """A patient's question page → `questions.jsonl`."""

    id: str | None = None
    site: str | None = None
    url: str | None = None
    title: str | None = None
    question: str | None = None
    patient_sex: str | None = None
    patient_age: int | None = None
    patient_onset: str | None = None
    category_path: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    asked_at: str | None = None
    asked_at_raw: str | None = None
    answer_count: int | None = None
    encyclopedia_id: str | None = None
    drug_ids: list[str] = field(default_factory=list)
    recommended_doctor_ids: list[str] = field(default_factory=list)
    crawled_at: str | None = None
    schema_version: str = SCHEMA_VERSION


@dataclass
class Answer:
    """One doctor's answer → `answers.jsonl`."""

    id: str | None = None
    question_id: str | None = None
    position: int | None = None
    accepted: bool | None = None
    doctor_id: str | None = None
    text: str | None = None
    summary: str | None = None
    advice: str | None = None
    tips: list[str] = field(default_factory=list)
    lists: list[dict] = field(default_factory=list)
    drugs_mentioned: list[str] = field(default_factory=list)
    follow_ups: list[dict] = field(default_factory=list)
    answered_at: str | None = None
    answered_at_raw: str | None = None
    schema_version: str = SCHEMA_VERSION


@dataclass
class Cause:
    """One item of an answer's numbered cause list → `causes.jsonl`."""

    id: str | None = None
    answer_id: str | None = None
    question_id: str | None = None
    position: int | None = None
    name: str | None = None
    text: str | None = None
    drugs_mentioned: list[str] = field(default_factory=list)
    schema_version: str = SCHEMA_VERSION


@dataclass
class Encyclopedia:
    """A disease encyclopedia box → `encyclopedia.jsonl`."""

    id: str | None = None
    name: str | None = None
    summary: str | None = None
    symptom_causes: str | None = None
    possible_diseases: list[str] = field(default_factory=list)
    common_checks: list[str] = field(default_factory=list)
    departments: list[str] = field(default_factory=list)
    schema_version: str = SCHEMA_VERSION


@dataclass
class Drug:
    """A 适用药品 (suitable drug) entry → `drugs.jsonl`."""

    id: str | None = None
    name: str | None = None
    indication: str | None = None
    url: str | None = None
    schema_version: str = SCHEMA_VERSION


@dataclass
class Doctor:
    """An answering or recommended doctor → `doctors.jsonl`."""

    id: str | None = None
    name: str | None = None
    title: str | None = None
    title_rank: str | None = None
    hospital: str | None = None
    hospital_grade: str | None = None
    specialties: list[str] = field(default_factory=list)
    profile_url: str | None = None
    schema_version: str = SCHEMA_VERSION


@dataclass
class Reject:
    """A page or item that was not written, with why → `rejects.jsonl`."""

    url: str | None = None
    reason: str | None = None
    detail: str | None = None
    at: str | None = None
    item_kind: str | None = None  # an invalid item: its file stem (`answers` …)
    errors: list[dict] = field(default_factory=list)  # an invalid item: [{path, message}]
    record: dict | None = None  # an invalid item: the record as extracted
    schema_version: str = SCHEMA_VERSION


#: Item class → output file name (without `.jsonl`); the feeds and docs follow this table.
OUTPUT_FILES: dict[type, str] = {
    Question: "questions",
    Answer: "answers",
    Cause: "causes",
    Encyclopedia: "encyclopedia",
    Drug: "drugs",
    Doctor: "doctors",
    Reject: "rejects",
}
