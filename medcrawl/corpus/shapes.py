"""Question–answer records from crawl runs, and the corpus shapes researchers train on.

A run folder holds `questions.jsonl`, `answers.jsonl` and `doctors.jsonl`; `read_runs` joins
them into one `QA` per (question, answer). Several runs (an incremental crawl) can be read
together: a later run's version of a question or answer replaces an earlier one.

The shapes (`FORMATS`): `pairs` (cMedQA / Toyhom: one record per answer), `huatuo`
(Huatuo-26M: `questions` / `answers` lists per question page), `dialogue` (MedDialog:
`dialogue_turns` of 病人 / 医生, follow-ups included) and `sft` (instruction / input / output).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonlines

from medcrawl.sites import sites
from medcrawl.sites.base import Site

_ANY_SITE = Site()

#: Doctor title ranks, lowest first (`Doctor.title_rank`).
RANKS = ("resident", "attending", "associate_chief", "chief")
SPEAKERS = {"patient": "病人", "doctor": "医生"}


def read_jsonl(path: Path) -> Iterator[dict]:
    """The records of a JSON Lines file (blank lines and a byte order mark skipped); a missing
    file has none."""
    if not path.is_file():
        return
    with jsonlines.open(path) as reader:
        yield from reader.iter(type=dict, skip_empty=True)


def department(question: dict) -> str | None:
    """A question record's department, by its site's rule (`Site.department`: the deepest
    breadcrumb crumb that names a department); a record of an unknown site gets the common
    rule."""
    site = sites().get(question.get("site") or "", _ANY_SITE)
    return site.department(question.get("category_path"))


@dataclass
class QA:
    """One doctor's answer to one question, with what the corpus shapes need."""

    id: str
    question_id: str
    url: str | None
    department: str | None
    site: str | None  # the site key: records of several sites' runs stay apart
    title: str | None
    question: str  # the patient's text; the title when the page has only a title
    answer: str
    follow_ups: list[dict] = field(default_factory=list)  # [{role: patient|doctor, text}]
    lists: list[dict] = field(default_factory=list)  # [{kind, items: [{name, drugs_mentioned}]}]
    drugs: list[str] = field(default_factory=list)
    doctor_title: str | None = None
    doctor_rank: str | None = None
    answered_at: str | None = None
    crawled_at: str | None = None
    patient: dict[str, Any] = field(default_factory=dict)  # sex, age, onset when shown

    def map_texts(self, change: Callable[[str, str], str]) -> None:
        """Replace every free-text field's value with `change(field name, value)`."""
        for name in ("title", "question", "answer"):
            value = getattr(self, name)
            if value:
                setattr(self, name, change(name, value))
        self.follow_ups = [
            {**turn, "text": change("follow_ups", turn["text"])} if turn.get("text") else turn
            for turn in self.follow_ups
        ]


@dataclass
class RunData:
    """What `read_runs` found: the QA records and the runs' crawl dates and manifests."""

    qas: list[QA]
    questions: int
    questions_without_answers: int
    crawled: tuple[str | None, str | None]  # first and last `crawled_at`
    manifests: list[dict]


def read_runs(run_dirs: list[Path]) -> RunData:
    """Join questions, answers and doctors of one or more run folders into QA records."""
    questions: dict[str, dict] = {}
    answers: dict[str, dict] = {}
    doctors: dict[str, dict] = {}
    manifests = []
    for run in run_dirs:
        if not (run / "questions.jsonl").exists():
            raise FileNotFoundError(f"{run} holds no questions.jsonl: not a run folder")
        questions.update((q["id"], q) for q in read_jsonl(run / "questions.jsonl"))
        answers.update((a["id"], a) for a in read_jsonl(run / "answers.jsonl"))
        doctors.update((d["id"], d) for d in read_jsonl(run / "doctors.jsonl"))
        manifest = run / "manifest.json"
        if manifest.exists():
            manifests.append(json.loads(manifest.read_text(encoding="utf-8")))
    qas = []
    answered = set()
    for answer in answers.values():
        question = questions.get(answer.get("question_id"))
        if question is None or not (answer.get("text") or "").strip():
            continue
        answered.add(question["id"])
        doctor = doctors.get(answer.get("doctor_id")) or {}
        patient = {
            "sex": question.get("patient_sex"),
            "age": question.get("patient_age"),
            "onset": question.get("patient_onset"),
        }
        qas.append(
            QA(
                id=answer["id"],
                question_id=question["id"],
                url=question.get("url"),
                department=department(question),
                site=question.get("site") or question["id"].split(":", 1)[0],
                title=question.get("title"),
                question=question.get("question") or question.get("title") or "",
                answer=answer["text"],
                follow_ups=list(answer.get("follow_ups") or []),
                lists=list_outline(answer.get("lists") or []),
                drugs=list(answer.get("drugs_mentioned") or []),
                doctor_title=doctor.get("title"),
                doctor_rank=doctor.get("title_rank"),
                answered_at=answer.get("answered_at"),
                crawled_at=question.get("crawled_at"),
                patient={k: v for k, v in patient.items() if v is not None},
            )
        )
    crawled = sorted(q["crawled_at"] for q in questions.values() if q.get("crawled_at"))
    return RunData(
        qas=qas,
        questions=len(questions),
        questions_without_answers=len(questions) - len(answered),
        crawled=(crawled[0], crawled[-1]) if crawled else (None, None),
        manifests=manifests,
    )


def patient_line(patient: dict[str, Any]) -> str:
    """`性别：男；年龄：5岁；发病时间：一周内` from what the page shows, or ``."""
    parts = []
    if patient.get("sex"):
        parts.append(f"性别：{patient['sex']}")
    if patient.get("age") is not None:
        parts.append(f"年龄：{patient['age']}岁")
    if patient.get("onset"):
        parts.append(f"发病时间：{patient['onset']}")
    return "；".join(parts)


def list_outline(lists: list[dict]) -> list[dict]:
    """An answer's numbered lists without their free text: each list's kind and its items'
    headings and drugs — labels for the answer, whose text (de-identified) is the `answer`."""
    return [
        {
            "kind": numbered["kind"],
            "items": [
                {"name": item.get("name"), "drugs_mentioned": item.get("drugs_mentioned") or []}
                for item in numbered.get("items") or []
            ],
        }
        for numbered in lists
    ]


def as_pair(qa: QA) -> dict:
    return {
        "id": qa.id,
        "site": qa.site,
        "department": qa.department,
        "title": qa.title,
        "question": qa.question,
        "answer": qa.answer,
        "doctor_title": qa.doctor_title,
        "answered_at": qa.answered_at,
        "url": qa.url,
        "lists": qa.lists,
        "drugs_mentioned": qa.drugs,
    }


def as_dialogue(qa: QA) -> dict:
    turns = [
        {"speaker": "病人", "utterance": qa.question},
        {"speaker": "医生", "utterance": qa.answer},
    ]
    turns += [
        {"speaker": SPEAKERS.get(turn.get("role"), "病人"), "utterance": turn["text"]}
        for turn in qa.follow_ups
        if turn.get("text")
    ]
    return {
        "id": qa.id,
        "site": qa.site,
        "url": qa.url,
        "department": qa.department,
        "dialogue_turns": turns,
    }


def as_sft(qa: QA) -> dict:
    return {
        "id": qa.id,
        "instruction": qa.question,
        "input": patient_line(qa.patient),
        "output": qa.answer,
    }


def as_huatuo(qas: list[QA]) -> dict:
    """One question page: its question and every answer kept (`qas` share a question)."""
    return {
        "id": qas[0].question_id,
        "questions": [qas[0].question],
        "answers": [qa.answer for qa in qas],
    }


#: Per-answer shapes; `huatuo` groups the answers of a question instead.
PER_ANSWER: dict[str, Callable[[QA], dict]] = {
    "pairs": as_pair,
    "dialogue": as_dialogue,
    "sft": as_sft,
}
FORMATS = (*PER_ANSWER, "huatuo")

#: Each shape's fields, for the dataset card.
FIELDS: dict[str, dict[str, str]] = {
    "pairs": {
        "id": "answer id (`<site>:<question>/a<n>`), stable across crawls",
        "site": "the site the answer was crawled from (its key, as in `id`)",
        "department": "most specific department on the page's breadcrumb (e.g. 神经内科)",
        "title": "the question's title as published",
        "question": "the patient's question (the title when the page has only a title)",
        "answer": "the doctor's whole answer, paragraphs joined by newlines",
        "doctor_title": "the answering doctor's title as shown (主治医师 …)",
        "answered_at": "when the answer was published, ISO 8601 (site time, +08:00)",
        "url": "the question page",
        "lists": "the answer's numbered lists: `[{kind, items: [{name, drugs_mentioned}]}]`, kind "
        "causes/treatment/checks/advice/other (item texts are in `answer`)",
        "drugs_mentioned": "every drug the answer names as treatment, in order of first mention",
    },
    "huatuo": {
        "id": "question id (`<site>:<native id>`)",
        "questions": "the patient's question (one entry)",
        "answers": "every kept answer to it, in page order",
    },
    "dialogue": {
        "id": "answer id: one dialogue per answering doctor",
        "site": "the site the answer was crawled from",
        "url": "the question page",
        "department": "most specific department on the page's breadcrumb",
        "dialogue_turns": "[{speaker: 病人|医生, utterance}]: question, answer, then the "
        "follow-ups (追问/回复) in page order",
    },
    "sft": {
        "id": "answer id",
        "instruction": "the patient's question",
        "input": "what the page shows of the patient (性别/年龄/发病时间), or empty",
        "output": "the doctor's answer",
    },
}
