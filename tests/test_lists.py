"""What each numbered list of an answer is: one test per rule and per tie-break of
`medcrawl.extract.lists`, and the doctor-token rule (names and titles never glued)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from parsel import Selector

from medcrawl.extract.html import text_tokens
from medcrawl.extract.lists import KIND_WORDS, answer_lists, kind_of, kind_of_items, lead_and_kind
from medcrawl.extract.medical import ListItem, doctor_line, split_answer, split_name


def kinds(lines: list[str]) -> list[str]:
    return [numbered.kind for numbered in answer_lists(split_answer(lines))]


def items(*names: str | None) -> list[ListItem]:
    return [ListItem(n, name, "说明。") for n, name in enumerate(names, 1)]


@pytest.mark.parametrize(
    ("lead", "kind"),
    [
        ("常见原因有以下几种：", "causes"),
        ("与以下因素有关：", "causes"),
        ("常见于以下几种情况：", "causes"),
        ("治疗方法如下：", "treatment"),
        ("可以选用以下药物：", "treatment"),
        ("需要做以下检查：", "checks"),
        ("建议化验以下项目：", "checks"),
        ("平时饮食要注意：", "advice"),
        ("预防措施：", "advice"),
        ("要分情况来看：", "other"),
    ],
)
def test_the_lead_names_the_kind(lead, kind):
    assert lead_and_kind(lead, items("甲", "乙"))[1] == kind


def test_the_word_nearest_the_list_beats_an_advice_verb():
    assert kind_of("建议做以下检查") == "checks"
    assert kind_of("建议采用以下治疗方法") == "treatment"


def test_causes_and_treatment_together_are_decided_by_the_items():
    lead = "引起头痛的原因及治疗方法如下："
    assert lead_and_kind(lead, items("药物治疗", "手术治疗"))[1] == "treatment"
    assert lead_and_kind(lead, items("感冒", "鼻炎"))[1] == "causes"  # items say nothing


def test_otherwise_the_word_nearest_the_list_wins():
    assert kind_of("治疗期间要注意") == "advice"
    assert kind_of("检查后再治疗") == "treatment"


def test_the_clause_that_names_the_items_decides():
    lead = "面部肌肉痉挛可能是由于神经受压、外伤等原因导致的，需要根据具体病因进行针对性治疗。"
    sentence, kind = lead_and_kind(lead, items("神经受压", "外伤"))
    assert (kind, sentence) == ("causes", lead)


def test_the_items_decide_when_the_lead_says_nothing():
    assert kind_of_items(items("药物治疗", "免疫治疗", "避免过敏原")) == "treatment"
    assert kind_of_items([ListItem(1, None, "多喝水。"), ListItem(2, None, "少吃辣。")]) == "advice"
    assert kind_of_items(items("药物治疗", "避免过敏原")) is None  # a tie says nothing


def test_every_list_of_an_answer_is_kept_in_page_order():
    lines = [
        "您好，常见原因有：",
        "1.感冒：病毒感染。",
        "2.鼻炎：过敏。",
        "治疗方法如下：",
        "1.药物治疗：口服氯雷他定片。",
        "2.手术治疗：严重时考虑。",
        "【温馨提示】",
        "1.多喝水。",
        "2.注意休息。",
    ]
    found = answer_lists(split_answer(lines))
    assert [(n.kind, n.lead) for n in found] == [
        ("causes", "您好，常见原因有："),
        ("treatment", "治疗方法如下："),
        ("advice", "温馨提示"),
    ]
    assert [i.name for i in found[1].items] == ["药物治疗", "手术治疗"]
    assert found[1].as_record()["items"][0]["drugs_mentioned"] == []  # `口服X` is no `如X`


def test_an_answer_whose_only_list_is_a_treatment_list_has_no_causes():
    assert kinds(
        ["过敏性鼻炎，治疗包括：", "(1)避免过敏原：少外出。", "(2)药物治疗：如氯雷他定片。"]
    ) == ["treatment"]


@given(st.sampled_from(sorted(KIND_WORDS)), st.sampled_from(["如下：", "有：", "包括："]))
def test_any_kind_word_in_a_lead_gives_its_kind(kind, tail):
    for word in KIND_WORDS[kind]:
        lead = f"常见的{word}{tail}"
        assert kind_of(lead) == kind, lead


# --- names and titles ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "parts"),
    [
        ("孙伟主任医师", ("孙伟", "主任医师")),
        ("李慧副主任医师", ("李慧", "副主任医师")),
        ("欧阳明主治医师", ("欧阳明", "主治医师")),
        ("王芳医生", ("王芳", "医生")),
        ("张三", ("张三", None)),
        ("主任医师", ("主任医师", None)),  # a title alone is no name + title
    ],
)
def test_a_title_run_into_a_name_is_split(token, parts):
    assert split_name(token) == parts


def test_touching_inline_elements_are_separate_tokens():
    sel = Selector(text="<li><a>孙伟</a><span>主任医师</span><a>提问</a><p>北京协和医院</p></li>")
    tokens = text_tokens(sel.xpath("//li")[0])
    assert tokens == ["孙伟", "主任医师", "提问", "北京协和医院"]
    name, roles = doctor_line(tokens[:2] + tokens[3:])
    assert (name, roles.title, roles.hospital) == ("孙伟", "主任医师", "北京协和医院")


def test_a_paragraph_ends_the_lead():
    """A section label on its own line (`病情分析：`) is not part of the sentence that
    introduces the list."""
    lead, kind = lead_and_kind("病情分析：\n你好，常见原因有：", items("甲", "乙"))
    assert (lead, kind) == ("你好，常见原因有：", "causes")


@pytest.mark.parametrize(
    ("lead", "kind"),
    [
        ("孩子视力下降，考虑以下几种可能：", "causes"),  # possible diagnoses
        ("偏头痛发作期可以这样处理：", "treatment"),
    ],
)
def test_possibilities_are_causes_and_handling_is_treatment(lead, kind):
    assert lead_and_kind(lead, items("甲", "乙"))[1] == kind
