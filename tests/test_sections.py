"""Shared extraction for answers laid out in labelled sections (an analysis, then guidance),
and the small generic rules the 120ask site added: player fallback text, closed questions,
a closing 等 in specialties."""

from __future__ import annotations

import pytest
from parsel import Selector

from medcrawl.extract.html import text_lines
from medcrawl.extract.lists import section_lists
from medcrawl.extract.loaders import strip_etc
from medcrawl.extract.medical import split_sections
from medcrawl.extract.notices import notice


def test_sections_are_the_summary_and_the_advice():
    parts = split_sections(["考虑急性胃炎。", "与饮食不当有关。"], ["建议清淡饮食。"])
    assert (parts.summary, parts.advice) == ("考虑急性胃炎。\n与饮食不当有关。", "建议清淡饮食。")
    assert parts.items == [] and parts.tips == []


def test_a_list_in_the_analysis_is_the_cause_list_and_leaves_it():
    parts = split_sections(
        ["常见原因有：", "1、病毒感染：最常见。", "2、细菌感染：白细胞升高。"],
        ["建议查血常规。"],
    )
    assert parts.summary == "常见原因有："
    assert [(i.position, i.name, i.text) for i in parts.items] == [
        (1, "病毒感染", "最常见。"),
        (2, "细菌感染", "白细胞升高。"),
    ]
    assert parts.advice == "建议查血常规。"


def test_a_list_in_the_guidance_is_the_cause_list_when_the_analysis_has_none():
    parts = split_sections(
        ["考虑胃炎。"],
        [
            "建议：",
            "（1）促进胃动力：多潘立酮片。",
            "（2）调整饮食：少吃多餐。",
            "症状不缓解做胃镜。",
        ],
    )
    assert parts.summary == "考虑胃炎。"
    assert [i.name for i in parts.items] == ["促进胃动力", "调整饮食"]
    assert parts.advice == "建议：\n症状不缓解做胃镜。"


def test_a_second_list_stays_in_the_guidance_as_published():
    guidance = ["建议：", "（1）做鼻内镜检查；", "（2）冲洗鼻腔。"]
    parts = split_sections(["原因如下：", "1、细菌感染：…", "2、过敏：…"], guidance)
    assert [i.name for i in parts.items] == ["细菌感染", "过敏"]
    assert parts.advice == "\n".join(guidance)


def test_tips_under_a_bracketed_heading_are_tips_in_either_section():
    parts = split_sections(
        ["原因：", "一、劳损：久坐。", "二、受凉：保暖不够。"],
        ["建议休息。", "【温馨提示：】", "1.注意保暖；", "2.适当锻炼。"],
    )
    assert parts.advice == "建议休息。"
    assert parts.tips == ["注意保暖", "适当锻炼。"]
    assert len(parts.items) == 2


def test_empty_sections():
    parts = split_sections([], [])
    assert (parts.summary, parts.advice, parts.items, parts.tips) == (None, None, [], [])
    assert split_sections(["只有分析。"], []).advice is None


def test_player_fallback_text_is_not_visible_text():
    p = Selector(
        text='<p><audio controls src="a.mp3">您的浏览器不支持 audio 元素。</audio>'
        "<video>不支持视频</video>语音回复</p>"
    ).css("p")[0]
    assert text_lines(p) == ["语音回复"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("<p>该问题已关闭，内容暂时无法查看。</p>", "removed"),
        ("<p>此问题已被关闭</p>", "removed"),
        ("<p>抱歉，问题不存在</p>", "removed"),
        ("<p>门诊时间已安排</p>", None),
    ],
)
def test_closed_questions_are_removed(body, reason):
    assert notice(Selector(text=f"<html><body>{body}</body></html>")) == reason


@pytest.mark.parametrize(
    ("value", "expected"),
    [("运动损伤等", "运动损伤"), ("心律失常等等。", "心律失常"), ("骨折。", "骨折"), ("等", None)],
)
def test_a_closing_etc_is_not_part_of_a_name(value, expected):
    assert strip_etc(value) == expected


def test_every_list_of_both_sections_is_kept_with_its_kind():
    lists = section_lists(
        ["常见原因如下：", "1、细菌感染：白细胞升高。", "2、过敏：打喷嚏。"],
        [
            "建议：",
            "（1）冲洗鼻腔，每天2次；",
            "（2）多喝水，注意休息。",
            "【温馨提示：】",
            "1.注意保暖。",
        ],
    )
    assert [(n.kind, n.lead) for n in lists] == [
        ("causes", "常见原因如下："),
        ("advice", "建议："),
        ("advice", "温馨提示："),
    ]
    assert [i.name for i in lists[0].items] == ["细菌感染", "过敏"]


def test_a_list_in_the_guidance_is_read_with_the_guidance_as_its_lead():
    """Its lead is the guidance's own text, not the analysis before it (which names causes)."""
    lists = section_lists(
        ["多与饮食不规律有关。"],
        ["建议从以下几方面调理：", "（1）调整饮食：少吃多餐。", "（2）规律作息：早睡。"],
    )
    assert [(n.kind, n.lead) for n in lists] == [("advice", "建议从以下几方面调理：")]
