"""`medcrawl export`: corpus shapes, known records of the fixture pages, filters,
de-identification, duplicates and the dataset card."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest

from medcrawl.cli import main
from medcrawl.corpus.duplicates import Duplicates, jaccard, normalise, shingle_hashes
from medcrawl.corpus.export import Options, Progress, export
from tests.conftest import extract

SEED_ID = "ask39:91201364"
COUGH_ID = "ask39:58213476"
SEED = extract("ask39", "seed_2024")
COUGH = extract("ask39", "g1_2018_cough")
SEED_ANSWER = SEED["answers"][0]["text"]
COUGH_ANSWER = COUGH["answers"][0]["text"]  # five sentences, follow-ups


def reword_one_sentence(text: str) -> str:
    sentences = text.split("。")
    sentences[1] = "平时要注意休息，饮食清淡，避免辛辣刺激的食物"
    return "。".join(sentences)


def repunctuate(text: str) -> str:
    return text.replace("，", " ").replace("。", "！").replace("、", "，")


def question(n: int, title: str, text: str | None = None, **fields) -> dict:
    return {
        "id": f"ask39:{n}",
        "url": f"https://ask.39.net/question/{n}.html",
        "title": title,
        "question": text,
        "category_path": ["内科", "呼吸内科"],
        "crawled_at": "2026-11-20T08:00:00+00:00",
        **fields,
    }


def answer(n: int, text: str, doctor: str = "ask39:doctor:P2210387", **fields) -> dict:
    return {"id": f"ask39:{n}/a1", "question_id": f"ask39:{n}", "doctor_id": doctor,
            "text": text, "follow_ups": [], **fields}  # fmt: skip


#: Questions and answers beyond the fixtures: copies, near copies, personal details, 繁體.
EXTRA = [
    (question(900001, "面部抽搐"), answer(900001, " ".join(SEED_ANSWER.split("\n")))),
    (question(900002, "面部肌肉跳"), answer(900002, repunctuate(SEED_ANSWER))),
    (question(900003, "孩子夜咳"), answer(900003, reword_one_sentence(COUGH_ANSWER))),
    (
        question(900004, "头痛三天", "我叫张三，电话13812345678，头痛三天，张三想问吃什么药"),
        answer(900004, "建议口服布洛芬0.3g，每日2次，加微信abc_12345详细咨询"),
    ),
    (
        question(900005, "頭暈", "最近經常頭暈，醫生說血壓偏高"),
        answer(900005, "建議監測血壓，清淡飲食，必要時在醫生指導下服藥。"),
    ),
    (question(900006, "嗓子疼"), answer(900006, "多喝水")),  # too short
]


def write_files(folder: Path, items: dict[str, list[dict]]) -> None:
    folder.mkdir(parents=True)
    for kind, records in items.items():
        lines = (json.dumps(r, ensure_ascii=False) + "\n" for r in records)
        (folder / f"{kind}.jsonl").write_text("".join(lines), encoding="utf-8")


def write_run(folder: Path, manifest: dict | None = None) -> Path:
    items = {"questions": [], "answers": [], "doctors": []}
    for page in (SEED, COUGH):
        for kind in items:
            items[kind] += page[kind]
    for q, a in EXTRA:
        items["questions"].append(q)
        items["answers"].append(a)
    write_files(folder, items)
    if manifest:
        (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


@pytest.fixture
def run(tmp_path):
    return write_run(tmp_path / "run")


def exported(run: Path, tmp_path: Path, **options) -> tuple[list[dict], object]:
    out = tmp_path / "corpus" / "data.jsonl"
    report = export([run], out, Options(progress=False, **options))
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    return records, report


def by_id(records: list[dict]) -> dict[str, dict]:
    return {r["id"]: r for r in records}


# --- shapes and known records ---------------------------------------------------------------


def test_pairs(run, tmp_path):
    records, _ = exported(run, tmp_path, format="pairs")
    fields = ["id", "site", "department", "title", "question", "answer", "doctor_title"]
    fields.append("answered_at")
    assert all(list(r) == [*fields, "url", "lists", "drugs_mentioned"] for r in records)
    seed = by_id(records)[f"{SEED_ID}/a1"]
    assert seed == {
        "id": f"{SEED_ID}/a1",
        "site": "ask39",
        "department": "神经内科",
        "title": "引起面部肌肉痉挛的原因",
        "question": "引起面部肌肉痉挛的原因",  # a title-only question: the title is the text
        "answer": SEED_ANSWER,
        "doctor_title": "主治医师",
        "answered_at": "2024-02-24T20:54:00+08:00",
        "url": "https://ask.39.net/question/91201364.html",
        "lists": [
            {
                "kind": "causes",
                "items": [
                    {"name": "神经受压", "drugs_mentioned": ["布洛芬"]},
                    {"name": "面神经炎", "drugs_mentioned": ["维生素B1", "甲钴胺"]},
                    {"name": "外伤", "drugs_mentioned": []},
                    {"name": "感染", "drugs_mentioned": ["阿莫西林胶囊", "头孢克肟分散片"]},
                    {"name": "代谢紊乱", "drugs_mentioned": ["氯化钠注射液", "葡萄糖注射液"]},
                ],
            }
        ],
        "drugs_mentioned": [
            "布洛芬",
            "维生素B1",
            "甲钴胺",
            "阿莫西林胶囊",
            "头孢克肟分散片",
            "氯化钠注射液",
            "葡萄糖注射液",
        ],
    }
    cough = by_id(records)[f"{COUGH_ID}/a2"]
    assert cough["department"] == "小儿内科"
    assert cough["question"].startswith("孩子5岁，上周开始咳嗽")
    assert cough["doctor_title"] == "副主任医师"


def test_huatuo(run, tmp_path):
    records, _ = exported(run, tmp_path, format="huatuo")
    assert all(set(r) == {"id", "questions", "answers"} for r in records)
    assert by_id(records)[SEED_ID] == {
        "id": SEED_ID,
        "questions": ["引起面部肌肉痉挛的原因"],
        "answers": [SEED_ANSWER],
    }
    cough = by_id(records)[COUGH_ID]
    assert [a[:6] for a in cough["answers"]] == ["你好，孩子咳", "您好，孩子晚", "孩子咳嗽一周"]


def test_dialogue_includes_follow_ups_in_order(run, tmp_path):
    records, _ = exported(run, tmp_path, format="dialogue")
    seed = by_id(records)[f"{SEED_ID}/a1"]
    assert seed["dialogue_turns"] == [
        {"speaker": "病人", "utterance": "引起面部肌肉痉挛的原因"},
        {"speaker": "医生", "utterance": SEED_ANSWER},
    ]
    assert (seed["url"], seed["department"]) == (
        "https://ask.39.net/question/91201364.html",
        "神经内科",
    )
    turns = by_id(records)[f"{COUGH_ID}/a1"]["dialogue_turns"]
    assert [t["speaker"] for t in turns] == ["病人", "医生", "病人", "医生", "病人"]
    assert turns[2]["utterance"].startswith("医生您好，孩子晚上咳的时候嗓子里有呼噜呼噜的声音")
    assert turns[4]["utterance"] == "好的，谢谢医生！"


def test_sft(run, tmp_path):
    records, _ = exported(run, tmp_path, format="sft")
    assert by_id(records)[f"{SEED_ID}/a1"] == {
        "id": f"{SEED_ID}/a1",
        "instruction": "引起面部肌肉痉挛的原因",
        "input": "",
        "output": SEED_ANSWER,
    }
    cough = by_id(records)[f"{COUGH_ID}/a3"]
    assert cough["input"] == "性别：男；年龄：5岁"
    assert cough["output"].startswith("孩子咳嗽一周以上")


# --- duplicates -----------------------------------------------------------------------------


def test_near_duplicates_differing_by_punctuation_or_one_sentence_are_grouped():
    duplicates = Duplicates()
    assert duplicates.check("seed", SEED_ANSWER) is None
    assert duplicates.check("cough", COUGH_ANSWER) is None  # another text: its own group
    punctuation = duplicates.check("p", repunctuate(SEED_ANSWER))
    sentence = duplicates.check("s", reword_one_sentence(COUGH_ANSWER))
    assert (punctuation.group, punctuation.kind) == ("seed", "near")
    assert (sentence.group, sentence.kind) == ("cough", "near")
    assert duplicates.check("other", COUGH["answers"][1]["text"]) is None
    assert (duplicates.exact, duplicates.near) == (0, 2)


def test_answers_sharing_half_their_shingles_stay_apart():
    """Two stock-phrased answers (Jaccard 0.49): the decision is the exact similarity, not
    a MinHash estimate that can land above the threshold by chance."""
    a = (
        "你好，可以在医生指导下使用谷维素，每次0.1片，每日2次，连用7天。你的肾功能结果显示尿酸为"
        "84.5，略高于正常范围，需要进一步检查。目前的情况考虑过敏性鼻炎的可能性大，一般预后良好，"
        "不必过于担心。饮食上宜少量多餐，少吃生冷的东西，每天饮水2000毫升左右。"
    )
    b = (
        "你好，目前的情况考虑胆囊炎的可能性大，一般预后良好，不必过于担心。饮食上宜富含维生素，"
        "少吃过甜的东西，每天饮水2000毫升左右。可以在医生指导下使用谷维素，每次1g，每日2次，"
        "连用5天。你的肾功能结果显示尿酸为82.0，略高于正常范围，需要进一步检查。"
    )
    sets = [np.unique(np.array(shingle_hashes(normalise(t), 4), dtype=np.uint32)) for t in (a, b)]
    assert 0.45 < jaccard(*sets) < 0.55
    duplicates = Duplicates(threshold=0.6)
    assert duplicates.check("a", a) is None
    assert duplicates.check("b", b) is None
    lower = Duplicates(threshold=0.45)
    lower.check("a", a)
    assert lower.check("b", b).group == "a"


def test_exact_duplicates_ignore_width_case_and_whitespace():
    duplicates = Duplicates()
    duplicates.check("a", "建议服用维生素B1，每日3次。")
    match = duplicates.check("b", "建议服用 维生素ｂ１，每日３次。\n")
    assert (match.group, match.kind) == ("a", "exact")
    assert duplicates.check("c", "建议服用维生素B1，每日3次！").kind == "near"
    assert (duplicates.exact, duplicates.near) == (1, 1)


def test_dedupe_drops_and_counts(run, tmp_path):
    records, report = exported(run, tmp_path, format="pairs")
    ids = set(by_id(records))
    assert {"ask39:900001/a1", "ask39:900002/a1", "ask39:900003/a1"}.isdisjoint(ids)
    assert (report.exact_duplicates, report.near_duplicates, report.duplicate_groups) == (1, 2, 2)
    assert report.filtered == {"answer_too_short": 1}
    # 4 seed + cough answers, 900004, 900005: 6 of 10 (3 duplicates, 1 too short)
    assert report.answers == 10
    assert report.written == report.written_answers == len(records) == 6


def test_dedupe_group_keeps_and_labels(run, tmp_path):
    records, _ = exported(run, tmp_path, format="pairs", dedupe="group")
    groups = {r["id"]: r["dup_group"] for r in records}
    assert groups["ask39:900001/a1"] == groups["ask39:900002/a1"] == f"{SEED_ID}/a1"
    assert groups["ask39:900003/a1"] == f"{COUGH_ID}/a1"
    assert groups[f"{SEED_ID}/a1"] is None
    assert len(records) == 9
    huatuo, _ = exported(run, tmp_path, format="huatuo", dedupe="group")
    assert by_id(huatuo)["ask39:900001"]["dup_groups"] == [f"{SEED_ID}/a1"]


def test_dedupe_on_pair_keeps_one_answer_to_different_questions(run, tmp_path):
    _, report = exported(run, tmp_path, format="pairs", dedupe_on="pair", near_threshold=0)
    assert (report.exact_duplicates, report.near_duplicates) == (0, 0)
    assert report.written == 9


def test_runs_of_several_sites_make_one_corpus_with_each_record_s_site(run, tmp_path):
    """An ask39 run and an xywy run: one corpus, each record says its site, and an answer
    copied from one site to the other (as is, or re-punctuated) is found as a duplicate."""
    xywy = extract("xywy", "g2017_best_header_gbk")
    copied = {**xywy["answers"][1], "id": "xywy:126671067/a9", "text": SEED_ANSWER}
    near = {**xywy["answers"][2], "id": "xywy:126671067/a8", "text": repunctuate(COUGH_ANSWER)}
    other = tmp_path / "xywy-run"
    write_files(
        other,
        {
            "questions": xywy["questions"],
            "answers": [*xywy["answers"], copied, near],
            "doctors": xywy["doctors"],
        },
    )
    out = tmp_path / "corpus" / "data.jsonl"
    report = export([run, other], out, Options(progress=False, format="pairs", dedupe="group"))
    records = by_id(json.loads(line) for line in out.read_text(encoding="utf-8").splitlines())
    assert {r["site"] for r in records.values()} == {"ask39", "xywy"}
    assert records["xywy:126671067/a1"]["site"] == "xywy"
    assert records["xywy:126671067/a1"]["department"] == "消化内科"
    assert records[f"{SEED_ID}/a1"]["site"] == "ask39"
    assert records["xywy:126671067/a9"]["dup_group"] == f"{SEED_ID}/a1"  # the same text
    assert records["xywy:126671067/a8"]["dup_group"] == f"{COUGH_ID}/a1"  # near the same
    assert report.exact_duplicates >= 2 and report.near_duplicates >= 2


# --- cleaning and filters -------------------------------------------------------------------


def test_deid_is_on_by_default_and_can_be_turned_off(run, tmp_path):
    records, report = exported(run, tmp_path, format="dialogue")
    turns = by_id(records)["ask39:900004/a1"]["dialogue_turns"]
    assert turns[0]["utterance"] == "我叫[NAME]，电话[PHONE]，头痛三天，[NAME]想问吃什么药"
    assert turns[1]["utterance"] == "建议口服布洛芬0.3g，每日2次，加微信[WECHAT]详细咨询"
    assert report.masked == {"NAME": 2, "PHONE": 1, "WECHAT": 1}
    raw, _ = exported(run, tmp_path, format="dialogue", deid=False)
    assert "13812345678" in by_id(raw)["ask39:900004/a1"]["dialogue_turns"][0]["utterance"]


def test_a_name_stated_in_the_question_is_masked_on_the_whole_page(tmp_path):
    follow_ups = [{"role": "patient", "text": "谢谢医生，张三明白了"}]
    run = tmp_path / "run"
    write_files(run, {
        "questions": [question(900010, "张三头痛", "我叫张三，电话13812345678，头痛三天")],
        "answers": [
            answer(900010, "张三你好，建议口服布洛芬，注意休息", follow_ups=follow_ups),
            {**answer(900010, "头痛三天可以先做个头颅CT看看"), "id": "ask39:900010/a2"},
        ],
    })  # fmt: skip
    records, report = exported(run, tmp_path, format="dialogue", dedupe="off")
    assert by_id(records)["ask39:900010/a1"]["dialogue_turns"] == [
        {"speaker": "病人", "utterance": "我叫[NAME]，电话[PHONE]，头痛三天"},
        {"speaker": "医生", "utterance": "[NAME]你好，建议口服布洛芬，注意休息"},
        {"speaker": "病人", "utterance": "谢谢医生，[NAME]明白了"},
    ]
    # title 1, question 1, answer 1, follow-up 1: each occurrence once, not once per answer
    assert report.masked == {"NAME": 4, "PHONE": 1}
    card = (tmp_path / "corpus" / "README.md").read_text(encoding="utf-8")
    assert "answers it has): `[NAME]` 4, `[PHONE]` 1." in card
    pairs, _ = exported(run, tmp_path, format="pairs", dedupe="off")
    assert {r["title"] for r in pairs} == {"[NAME]头痛"}


def test_filters(run, tmp_path):
    records, report = exported(run, tmp_path, format="pairs", drop_contact=True)
    assert "ask39:900004/a1" not in by_id(records)
    assert report.filtered["answer_has_contact"] == 1
    records, report = exported(run, tmp_path, format="pairs", min_rank="associate_chief")
    assert set(by_id(records)) == {f"{COUGH_ID}/a2"}
    assert report.filtered["doctor_rank_below_associate_chief"] == 8  # attending, resident
    records, report = exported(run, tmp_path, format="pairs", max_answer_chars=100)
    assert all(len(r["answer"]) <= 100 for r in records)
    assert report.filtered["answer_too_long"] == 6  # duplicates are filtered before found


def test_simplified(run, tmp_path):
    pytest.importorskip("opencc")
    records, _ = exported(run, tmp_path, format="sft", simplified=True)
    record = by_id(records)["ask39:900005/a1"]
    assert record["instruction"] == "最近经常头晕，医生说血压偏高"
    assert record["output"] == "建议监测血压，清淡饮食，必要时在医生指导下服药。"


# --- the card and the command ---------------------------------------------------------------


def test_card(tmp_path):
    manifest = {"run_id": "r1", "spider": "ask39", "started_at": "2026-11-20T07:59:00+00:00",
                "finished_at": "2026-11-20T08:01:00+00:00", "schema_version": "1.0.0"}  # fmt: skip
    run = write_run(tmp_path / "r1", manifest)
    _, report = exported(run, tmp_path, format="sft", min_rank="attending")
    card = (tmp_path / "corpus" / "README.md").read_text(encoding="utf-8")
    for heading in ("## Source", "## Counts", "## Processing", "## Fields", "## Licence"):
        assert heading in card
    assert "- Site: ask.39.net" in card
    assert "Run `r1` (ask39): 2026-11-20T07:59:00+00:00 – 2026-11-20T08:01:00+00:00" in card
    assert "| answers read | 10 |" in card
    assert f"| records written | {report.written} |" in card
    assert "`[NAME]` 2, `[PHONE]` 1, `[WECHAT]` 1" in card
    assert "| `instruction` | the patient's question |" in card
    assert "© their authors" in card
    assert f"--format sft --out {tmp_path / 'corpus' / 'data.jsonl'} --min-rank attending" in card


def test_command(run, tmp_path, capsys):
    out = tmp_path / "pairs.jsonl"
    assert main(["export", str(run), "--format", "pairs", "--out", str(out), "-q"]) == 0
    printed = capsys.readouterr().out
    assert "duplicates (drop): 1 exact, 2 near, in 2 groups" in printed
    assert "wrote 6 pairs records" in printed
    assert (tmp_path / "README.md").exists()
    assert main(["export", str(tmp_path / "nothing"), "-f", "sft", "-o", str(out)]) == 2


def test_the_card_never_replaces_a_readme_it_did_not_write(run, tmp_path, capsys):
    project = tmp_path / "project"
    project.mkdir()
    (project / "README.md").write_text("# medcrawl\n\nThe project's own docs.\n", encoding="utf-8")
    out = project / "pairs.jsonl"
    assert main(["export", str(run), "-f", "pairs", "-o", str(out), "-q"]) == 2
    assert "is not a dataset card medcrawl wrote" in capsys.readouterr().err
    assert (project / "README.md").read_text(encoding="utf-8").startswith("# medcrawl\n")
    assert not out.exists()  # stopped before writing anything
    assert main(["export", str(run), "-f", "pairs", "-o", str(out), "-q", "--no-card"]) == 0
    assert (project / "README.md").read_text(encoding="utf-8").startswith("# medcrawl\n")


def test_the_card_replaces_an_earlier_card(run, tmp_path):
    out = tmp_path / "corpus" / "pairs.jsonl"
    assert main(["export", str(run), "-f", "pairs", "-o", str(out), "-q"]) == 0
    assert main(["export", str(run), "-f", "sft", "-o", str(out), "-q"]) == 0
    card = (tmp_path / "corpus" / "README.md").read_text(encoding="utf-8")
    assert card.startswith("<!-- medcrawl dataset card")
    assert "# pairs: Chinese medical Q&A corpus (sft)" in card


def test_progress_line():
    stream = io.StringIO()
    progress = Progress(total=3000, stream=stream, every=0)
    progress.update(1500)
    progress.update(3000, final=True)
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("export: 1,500/3,000 answers (")
    assert lines[-1].startswith("export: 3,000/3,000 answers (")
    quick = io.StringIO()
    Progress(total=10, stream=quick, every=60).update(10, final=True)
    assert quick.getvalue() == ""  # a quick export shows no progress
