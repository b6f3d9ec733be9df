"""Item assembly shared by every site: a page's parts → linked items.

A site's page class only finds the parts of a page (strings and lists, by its markup); this
module turns them into the output's items — ids, links between them (question → answers →
causes, doctors, drugs, encyclopedia), numbered lists, drug mentions, follow-up roles — through
the item loaders, so every site fills the contract the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from medcrawl.contract import items
from medcrawl.extract.ids import doctor_id, named_id
from medcrawl.extract.lists import answer_lists, section_lists
from medcrawl.extract.loaders import (
    AnswerLoader,
    CauseLoader,
    DoctorLoader,
    DrugLoader,
    EncyclopediaLoader,
    QuestionLoader,
)
from medcrawl.extract.medical import (
    DoctorTokens,
    drugs_mentioned,
    split_answer,
    split_sections,
    title_rank,
)
from medcrawl.extract.text import MAX_LABEL_CHARS, clean_inline, drop_ui_word, split_label

# A follow-up's label (`追问：`, `医生回复：`, `回答：`) → who wrote it; first matching word wins.
_ROLE_WORDS = (
    ("追问", "patient"),
    ("患者", "patient"),
    ("回复", "doctor"),
    ("回答", "doctor"),
    ("医生", "doctor"),
    ("医师", "doctor"),
    ("问", "patient"),
    ("答", "doctor"),
)


def follow_up_role(label: str) -> str | None:
    """`追问：` → `patient`; `医生回复：`, `回答` → `doctor`; not a label → None."""
    label = label.rstrip(":：")
    if len(label) > MAX_LABEL_CHARS:
        return None
    return next((role for word, role in _ROLE_WORDS if word in label), None)


def follow_up(spans: list[str]) -> dict[str, str | None] | None:
    """One follow-up from its cleaned text pieces: a label piece (`追问：`) then the text, or
    one piece `追问：…`. `{role, text}`; role None when no piece names who wrote it. None when
    nothing was said: no pieces, or a label alone (`追问：`)."""
    spans = [s for s in spans if s]
    if not spans:
        return None
    if len(spans) == 1:  # `追问：…` in one piece
        label, rest = split_label(spans[0])
        if label and not rest and follow_up_role(label):
            return None
        spans = [label, rest] if label and rest else spans
    role = follow_up_role(spans[0]) if len(spans) > 1 else None
    text = "\n".join(spans[1:] if role else spans)
    return {"role": role, "text": text} if text else None


def follow_up_exchange(follow_ups: list[dict[str, str | None]]) -> list[dict[str, str]]:
    """The follow-ups as the contract takes them, each `{role, text}` with both set. One with
    no text is dropped (nothing was said). One whose role no label gave takes it from its
    place: an exchange alternates, and a follow-up opens with the patient asking again — so
    the first is the patient's, and each other one the opposite of the one before (after a
    role that is neither, the patient's)."""
    exchange: list[dict[str, str]] = []
    for one in follow_ups:
        text = (one.get("text") or "").strip()
        if not text:
            continue
        before = exchange[-1]["role"] if exchange else None
        role = one.get("role") or ("doctor" if before == "patient" else "patient")
        exchange.append({"role": role, "text": text})
    return exchange


@dataclass
class DoctorParts:
    """A doctor as a page shows them: the name, the classified tokens of their line (title,
    hospital, grade), the profile link (absolute) and the `擅长` texts."""

    name: str
    roles: DoctorTokens = field(default_factory=DoctorTokens)
    profile_url: str | None = None
    specialties: list[str] = field(default_factory=list)


@dataclass
class AnswerParts:
    """One answer: its text as lines (split into summary, numbered list, advice and tips by
    the shared rules), who answered, when (as published), the follow-ups."""

    lines: list[str]
    doctor: DoctorParts | None = None
    #: True for the accepted / best answer, False for the others on a site that marks one,
    #: None on a site that has no such mark.
    accepted: bool | None = None
    answered_at: str | None = None
    follow_ups: list[dict[str, str | None]] = field(default_factory=list)
    #: On a site that lays answers out in labelled sections (an analysis, then guidance): the
    #: lines of each, labels removed. The summary and the advice are then these sections
    #: (`medical.split_sections`), not guessed from the shape of `lines`; `lines` is still
    #: the whole answer (`text`). None: the answer has no such sections.
    summary_lines: list[str] | None = None
    advice_lines: list[str] | None = None


@dataclass
class EncyclopediaParts:
    """A disease encyclopedia box: the disease, its description lines, labelled fields."""

    name: str
    summary: list[str] = field(default_factory=list)
    #: `(field, value)` in page order: `("departments", ["神经内科"])`, `("symptom_causes", "…")`.
    fields: list[tuple[str, list[str] | str]] = field(default_factory=list)


@dataclass
class DrugParts:
    name: str
    indication: list[str] = field(default_factory=list)
    url: str | None = None


@dataclass
class QuestionParts:
    """Everything a question page holds, as its page class found it."""

    title: str | None
    question: list[str] = field(default_factory=list)
    # As shown (`男`, `35岁`, the onset text): a list when the page shows several candidates,
    # of which the first valid one is kept.
    patient_sex: str | list[str] | None = None
    patient_age: str | list[str] | None = None
    patient_onset: str | list[str] | None = None
    category_path: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    asked_at: str | None = None
    answer_count: int | None = None
    answers: list[AnswerParts] = field(default_factory=list)
    encyclopedia: EncyclopediaParts | None = None
    drugs: list[DrugParts] = field(default_factory=list)
    recommended_doctors: list[DoctorParts] = field(default_factory=list)


def assemble(
    site: str, native_id: str, url: str, parts: QuestionParts, now: datetime
) -> Iterator[object]:
    """The items of the question page `url` of `site` (its key), question first, then what it
    links to by id: each answer's doctor, the answer, its causes; the encyclopedia entry,
    drugs, recommended doctors. `now` is when the page was fetched (relative dates count from
    it)."""
    question_id = f"{site}:{native_id}"
    encyclopedia = encyclopedia_item(site, parts.encyclopedia, now)
    drugs = [d for d in (drug_item(site, d, now) for d in parts.drugs) if d]
    recommended = [d for d in (doctor_item(site, d, now) for d in parts.recommended_doctors) if d]
    answers = [
        answer_items(question_id, position, answer, site, now)
        for position, answer in enumerate(parts.answers, 1)
    ]
    count = parts.answer_count
    loader = QuestionLoader(now=now)
    loader.add_values(
        {
            "id": question_id,
            "site": site,
            "url": url,
            "title": parts.title,
            "question": parts.question,
            "patient_sex": parts.patient_sex,
            "patient_age": parts.patient_age,
            "patient_onset": parts.patient_onset,
            "category_path": parts.category_path,
            "tags": parts.tags,
            "asked_at_raw": parts.asked_at,
            "asked_at": parts.asked_at,
            "answer_count": len(answers) if count is None else count,
            "encyclopedia_id": encyclopedia.id if encyclopedia else None,
            "drug_ids": [d.id for d in drugs],
            "recommended_doctor_ids": [d.id for d in recommended],
            "crawled_at": now.isoformat(),
        }
    )
    yield loader.load_item()
    for answer, doctor, causes in answers:
        if doctor:
            yield doctor
        yield answer
        yield from causes
    if encyclopedia:
        yield encyclopedia
    yield from drugs
    yield from recommended


def answer_items(
    question_id: str, position: int, parts: AnswerParts, site: str, now: datetime
) -> tuple[items.Answer, items.Doctor | None, list[items.Cause]]:
    """An answer, its doctor and the causes of its numbered list."""
    doctor = doctor_item(site, parts.doctor, now) if parts.doctor else None
    answer_id = f"{question_id}/a{position}"
    if parts.summary_lines is None and parts.advice_lines is None:
        split = split_answer(parts.lines)
        lists = answer_lists(split)
    else:  # the site's own sections: each keeps its text, lists are read in each
        split = split_sections(parts.summary_lines or [], parts.advice_lines or [])
        lists = section_lists(parts.summary_lines or [], parts.advice_lines or [])
    records = [numbered.as_record() for numbered in lists]
    loader = AnswerLoader(now=now)
    loader.add_values(
        {
            "id": answer_id,
            "question_id": question_id,
            "position": position,
            "accepted": parts.accepted,
            "doctor_id": doctor.id if doctor else None,
            "text": parts.lines,
            "summary": split.summary,
            "advice": split.advice,
            "tips": split.tips,
            "lists": records,
            "drugs_mentioned": drugs_mentioned("\n".join(parts.lines)),
            "follow_ups": follow_up_exchange(parts.follow_ups),
            "answered_at_raw": parts.answered_at,
            "answered_at": parts.answered_at,
        }
    )
    causes = []
    cause_items = [
        item for record in records if record["kind"] == "causes" for item in record["items"]
    ]
    for position, item in enumerate(cause_items, 1):  # several cause lists: numbered on
        cause = CauseLoader(now=now)
        cause.add_values(
            {
                "id": f"{answer_id}/c{position}",
                "answer_id": answer_id,
                "question_id": question_id,
                "position": position,
                "name": item["name"],
                "text": item["text"],
                "drugs_mentioned": list(item["drugs_mentioned"]),  # found for the list record
            }
        )
        causes.append(cause.load_item())
    return loader.load_item(), doctor, causes


def record_name(name: str | None) -> str | None:
    """A doctor's, drug's or disease's name as its record keeps it (the loaders' cleaning),
    or None when nothing is left (blank, or only a UI word such as `提问`): no record then,
    since its id is made from the name."""
    return drop_ui_word(clean_inline(name)) or None


def doctor_item(site: str, parts: DoctorParts, now: datetime) -> items.Doctor | None:
    """An answering or recommended doctor; the id from the profile link, else name+hospital.
    None when the name is no name (`record_name`)."""
    name = record_name(parts.name)
    if name is None:
        return None
    roles = parts.roles
    loader = DoctorLoader(now=now)
    loader.add_values(
        {
            "id": doctor_id(site, parts.profile_url, name, roles.hospital),
            "name": name,
            "title": roles.title,
            "title_rank": title_rank(roles.title),
            "hospital": roles.hospital,
            "hospital_grade": roles.grade,
            "profile_url": parts.profile_url,
            "specialties": parts.specialties,
        }
    )
    return loader.load_item()


def encyclopedia_item(
    site: str, parts: EncyclopediaParts | None, now: datetime
) -> items.Encyclopedia | None:
    name = record_name(parts.name) if parts is not None else None
    if parts is None or name is None:
        return None
    loader = EncyclopediaLoader(now=now)
    loader.add_values(
        {
            "id": named_id(site, "disease", name),
            "name": name,
            "summary": parts.summary,
        }
    )
    for name, value in parts.fields:
        loader.add_value(name, value)
    return loader.load_item()


def drug_item(site: str, parts: DrugParts, now: datetime) -> items.Drug | None:
    name = record_name(parts.name)
    if name is None:
        return None
    loader = DrugLoader(now=now)
    loader.add_values(
        {
            "id": named_id(site, "drug", name),
            "name": name,
            "indication": parts.indication,
            "url": parts.url,
        }
    )
    return loader.load_item()
