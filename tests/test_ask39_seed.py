"""The real seed page (shared/site/000_…txt): the values a reader sees, asserted literally."""

from __future__ import annotations

import pytest

SEED = ("ask39", "seed_2024")


@pytest.fixture
def seed(extracted):
    return extracted(*SEED)


def test_question(seed):
    (q,) = seed["questions"]
    assert q["id"] == "ask39:91201364"
    assert q["title"] == "引起面部肌肉痉挛的原因"
    assert q["category_path"] == ["内科", "神经内科", "面部肌肉萎缩"]
    assert q["answer_count"] == 1
    assert q["question"] is None
    assert q["encyclopedia_id"] == "ask39:disease:面部肌肉痉挛"
    assert q["drug_ids"] == [
        "ask39:drug:巴氯芬片",
        "ask39:drug:阿比多尔片",
        "ask39:drug:注射用亚胺培南西司他丁钠",
        "ask39:drug:复方片仔癀软膏",
    ]
    assert len(q["recommended_doctor_ids"]) == 6


def test_answer(seed):
    (a,) = seed["answers"]
    assert a["answered_at"] == "2024-02-24T20:54:00+08:00"
    assert a["answered_at_raw"] == "2024-02-24 20:54"
    assert a["doctor_id"] == "ask39:doctor:P4349188"
    assert a["summary"].startswith("面部肌肉痉挛可能是由于神经受压")
    assert a["summary"].endswith("建议患者及时就医以确定诊断并接受适当治疗。")
    assert a["advice"] == (
        "建议定期进行神经系统检查以及肌电图以监测病情变化，保持充足睡眠有助于减轻面部肌肉痉挛的症状。"
    )
    assert a["tips"] == []
    assert a["text"].count("\n") == 11  # lead, 5 × (heading, explanation), closing advice
    assert "举报" not in a["text"]


def test_causes(seed):
    causes = seed["causes"]
    assert [c["name"] for c in causes] == ["神经受压", "面神经炎", "外伤", "感染", "代谢紊乱"]
    assert [c["drugs_mentioned"] for c in causes] == [
        ["布洛芬"],
        ["维生素B1", "甲钴胺"],
        [],  # 开颅减压术 is surgery, not a drug
        ["阿莫西林胶囊", "头孢克肟分散片"],
        ["氯化钠注射液", "葡萄糖注射液"],
    ]
    assert [c["position"] for c in causes] == [1, 2, 3, 4, 5]
    assert causes[0]["text"].startswith("神经受压是指由于周围组织肿胀")
    assert {c["answer_id"] for c in causes} == {"ask39:91201364/a1"}


def test_answering_doctor(seed):
    doctor = next(d for d in seed["doctors"] if d["id"] == "ask39:doctor:P4349188")
    assert doctor["name"] == "袁余"
    assert doctor["title"] == "主治医师"
    assert doctor["title_rank"] == "attending"
    assert doctor["hospital_grade"] == "三甲"
    assert doctor["specialties"] == ["全科"]
    assert doctor["profile_url"] == "http://my.39.net/P4349188"


def test_recommended_doctors(seed):
    (q,) = seed["questions"]
    by_id = {d["id"]: d for d in seed["doctors"]}
    recommended = [by_id[i] for i in q["recommended_doctor_ids"]]
    assert [(d["name"], d["title"], d["title_rank"], d["hospital"]) for d in recommended] == [
        ("张彩东", "副主任医师", "associate_chief", "济南远大中医脑康医院"),
        ("余明", "主任医师", "chief", "济南远大中医脑康医院"),
        ("王孝各", "副主任医师", "associate_chief", "贵阳中医脑康医院"),
        ("侯万东", "副主任医师", "associate_chief", "广州附医华南医院"),
        ("苏镇培", "主任医师", "chief", "广州附医华南医院"),
        ("赵龙军", "主任医师", "chief", "广州附医华南医院"),
    ]


def test_drugs(seed):
    drugs = seed["drugs"]
    assert [d["name"] for d in drugs] == [
        "巴氯芬片",
        "阿比多尔片",
        "注射用亚胺培南西司他丁钠",
        "复方片仔癀软膏",
    ]
    assert drugs[1]["indication"] == "治疗由A、B型流感病毒等引起的上呼吸道感染"
    assert drugs[3]["indication"] == "清热，解毒，止痛。用于带状疱疹单纯疱疹脓疱疮、毛囊炎、痤疮。"
    assert drugs[0]["url"] == "https://ypk.39.net/530312/"


def test_encyclopedia(seed):
    (e,) = seed["encyclopedia"]
    assert e["name"] == "面部肌肉痉挛"
    assert e["summary"].startswith("面部痉挛亦称面肌抽搐或偏侧面肌痉挛症")
    assert e["symptom_causes"].startswith("为一侧面部表情肌不同程度挛缩")
    assert e["possible_diseases"] == [
        "甲状旁腺功能减退性心肌病",
        "抽动秽语综合征",
        "表皮囊肿",
        "面神经瘤",
        "面肌痉挛",
    ]
    assert e["common_checks"] == ["肌电图"]
    assert e["departments"] == ["神经"]
