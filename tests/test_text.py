"""Table-driven tests of the shared text helpers (text.py) and date parsing (dates.py)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from medcrawl.extract.dates import parse_date
from medcrawl.extract.medical import (
    classify_doctor_tokens,
    drugs_mentioned,
    item_heading,
    list_marker,
    parse_age,
    parse_count,
    split_answer,
    split_inline_lists,
    title_rank,
)
from medcrawl.extract.text import clean, split_label, split_list, strip_ui_suffix

# --- cleaning and labels ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("\u00a0\u00a0你好，\u3000孩子  咳嗽", "你好， 孩子 咳嗽"),
        ("维生素Ｂ６和ＡＢＣ１２３", "维生素B6和ABC123"),
        ("咳\u200b嗽\ufeff", "咳嗽"),
        ("第一行\n\n  第二行  \n", "第一行\n第二行"),
        (
            "“左眼跳财，右眼跳灾”：；！？",
            "“左眼跳财，右眼跳灾”：；！？",
        ),  # punctuation as published
        (None, ""),
    ],
)
def test_clean(raw, cleaned):
    assert clean(raw) == cleaned


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("症状起因：为一侧面部…", ("症状起因", "为一侧面部…")),
        ("就诊科室:神经", ("就诊科室", "神经")),
        ("发病时间：一周内", ("发病时间", "一周内")),
        ("没有标签的一句话", (None, "没有标签的一句话")),
    ],
)
def test_split_label(text, expected):
    assert split_label(text) == expected


def test_split_list_and_ui_suffix():
    assert split_list("胃镜  食管pH监测、食管测压；腹部B超") == [
        "胃镜",
        "食管pH监测",
        "食管测压",
        "腹部B超",
    ]
    assert strip_ui_suffix("推荐医生更多") == "推荐医生"
    assert strip_ui_suffix("更多") == "更多"


# --- numbered lists --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("1.神经受压", ("digit", 1, "神经受压")),
        ("2、不正常：如果…", ("digit", 2, "不正常：如果…")),
        ("3．过敏性结膜炎", ("digit", 3, "过敏性结膜炎")),
        ("4)抵抗力下降", ("digit", 4, "抵抗力下降")),
        ("12. 第十二项", ("digit", 12, "第十二项")),
        ("（1）妊娠", ("paren", 1, "妊娠")),
        ("(2)内分泌失调", ("paren", 2, "内分泌失调")),
        ("①多喝水", ("circled", 1, "多喝水")),
        ("⑩第十项", ("circled", 10, "第十项")),
        ("一、诊断", ("cn", 1, "诊断")),
        ("十二、其他", ("cn", 12, "其他")),
        ("二十一、其他", ("cn", 21, "其他")),
        ("（一）病因", ("cn_paren", 1, "病因")),
        ("第一，腰肌劳损", ("cn_ordinal", 1, "腰肌劳损")),
        ("第三：急性腰扭伤", ("cn_ordinal", 3, "急性腰扭伤")),
    ],
)
def test_list_marker(line, expected):
    assert list_marker(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "1.5mg每次，每日两次",
        "2024-02-24 20:54",
        "3、4天后复查",
        "2.5cm大小的结节",
        "第一次出现这种情况",
        "一般不需要特殊处理",
        "一些患者会出现",
        "（12岁以下儿童）",
        "100毫升",
        "",
    ],
)
def test_not_a_list_marker(line):
    assert list_marker(line) is None


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            ["原因有：1.久坐不动；2.饮水过少；3.饮食辛辣。"],
            ["原因有：", "1.久坐不动", "2.饮水过少", "3.饮食辛辣。"],
        ),
        (["常见于：（1）妊娠；（2）内分泌失调。"], ["常见于：", "（1）妊娠", "（2）内分泌失调。"]),
        (["包括：①感冒；②鼻炎；③哮喘。"], ["包括：", "①感冒", "②鼻炎", "③哮喘。"]),
        # doses and decimals are not list markers: nothing is split
        (["每次1.5mg；2.5mg睡前服用。"], ["每次1.5mg；2.5mg睡前服用。"]),
        (["剂量：1.5片；2.5片。"], ["剂量：1.5片；2.5片。"]),
        # numbers that do not count up from 1 are not a list
        (["第二次复查：2.结节缩小；3.无血流。"], ["第二次复查：2.结节缩小；3.无血流。"]),
        (["没有列表的一段话。"], ["没有列表的一段话。"]),
    ],
)
def test_split_inline_lists(lines, expected):
    assert split_inline_lists(lines) == expected


@pytest.mark.parametrize(
    ("first", "more", "name", "text"),
    [
        ("神经受压", ["神经受压是指…"], "神经受压", "神经受压是指…"),  # heading on its own line
        ("正常:月经周期在21～35天", [], "正常", "月经周期在21～35天"),  # run in, ASCII colon
        ("不正常：需要检查", [], "不正常", "需要检查"),  # run in, full-width colon
        ("精神因素。紧张焦虑会影响排卵", [], "精神因素", "紧张焦虑会影响排卵"),
        ("饮水少、憋尿：细菌容易繁殖", [], "饮水少、憋尿", "细菌容易繁殖"),  # 、 joins a heading
        ("多喝温开水，稀释痰液；", [], None, "多喝温开水，稀释痰液"),  # a clause: no heading
        ("久坐不动", [], "久坐不动", ""),  # the whole item is its heading
        ("这是一句超过十六个汉字长度的很长很长的句子：后文", [], None, None),
    ],
)
def test_item_heading(first, more, name, text):
    item = item_heading(first, more)
    assert item.name == name
    assert item.text == (text if text is not None else first)


def test_split_answer_heading_lines_and_advice():
    parts = split_answer(
        [
            "面部肌肉痉挛可能由多种原因导致。",
            "1.神经受压",
            "神经受压是指…",
            "2.面神经炎",
            "面神经炎是由于…",
            "建议定期复查。",
        ]
    )
    assert parts.summary == "面部肌肉痉挛可能由多种原因导致。"
    assert [(i.position, i.name, i.text) for i in parts.items] == [
        (1, "神经受压", "神经受压是指…"),
        (2, "面神经炎", "面神经炎是由于…"),
    ]
    assert parts.advice == "建议定期复查。"
    assert parts.tips == []


def test_split_answer_closing_without_advice_word():
    """After run-in items, a closing paragraph longer than the items' usual length is advice."""
    parts = split_answer(
        ["常见原因：", "1、正常：可以观察。", "2、不正常：需要检查。", "另外，注意休息。"]
    )
    assert [i.name for i in parts.items] == ["正常", "不正常"]
    assert parts.items[1].text == "需要检查。"
    assert parts.advice == "另外，注意休息。"


def test_split_answer_mixed_heading_styles():
    """`1、正常` on its own line, then `2、不正常:…` run in: the closing line is advice."""
    parts = split_answer(
        ["分情况：", "1、正常", "可以观察。", "2、不正常:需要检查。", "另外，注意休息。"]
    )
    assert [(i.name, i.text) for i in parts.items] == [
        ("正常", "可以观察。"),
        ("不正常", "需要检查。"),
    ]
    assert parts.advice == "另外，注意休息。"


def test_split_answer_nested_sub_lists():
    """A sub-list in another numbering style stays inside its item, also in the last item."""
    parts = split_answer(
        [
            "有关因素：",
            "1.精神因素：紧张影响排卵。",
            "2.体重变化：常见两种情况：",
            "①过度节食；",
            "②体重增加过快。",
            "3.药物影响：例如：",
            "（1）紧急避孕药；",
            "（2）抗抑郁药。",
            "如果推迟超过两周，应及时就诊。",
        ]
    )
    assert [i.name for i in parts.items] == ["精神因素", "体重变化", "药物影响"]
    assert parts.items[1].text == "常见两种情况：\n①过度节食；\n②体重增加过快。"
    assert parts.items[2].text == "例如：\n（1）紧急避孕药；\n（2）抗抑郁药。"
    assert parts.advice == "如果推迟超过两周，应及时就诊。"


def test_split_answer_inline_list():
    parts = split_answer(["你好，常见原因有：1.怀孕；2.内分泌紊乱；3.卵巢功能减退。", "建议复查。"])
    assert parts.summary == "你好，常见原因有："
    assert [(i.name, i.text) for i in parts.items] == [
        ("怀孕", ""),
        ("内分泌紊乱", ""),
        ("卵巢功能减退", ""),
    ]
    assert parts.advice == "建议复查。"


def test_split_answer_tips_are_not_causes():
    parts = split_answer(
        [
            "反酸烧心多与以下因素有关：",
            "1.括约肌松弛：胃酸容易反流。",
            "2.胃酸过多：反酸加重。",
            "建议复查胃镜。",
            "【预防小贴士:】",
            "1.晚餐不宜过饱；",
            "2.床头抬高15～20厘米；",
            "3.戒烟限酒。",
        ]
    )
    assert [i.name for i in parts.items] == ["括约肌松弛", "胃酸过多"]
    assert parts.advice == "建议复查胃镜。"
    assert parts.tips == ["晚餐不宜过饱", "床头抬高15～20厘米", "戒烟限酒。"]


def test_split_answer_tips_only():
    """An answer whose only numbered list is under the tips heading has no causes."""
    parts = split_answer(["注意休息即可。", "【温馨提示】", "①多喝水；", "②勤排尿。"])
    assert parts.items == []
    assert parts.summary == "注意休息即可。"
    assert parts.tips == ["多喝水", "勤排尿。"]


@pytest.mark.parametrize(
    ("paragraphs", "summary", "advice"),
    [
        (
            ["病情分析。", "补充说明。", "建议复查。", "如果加重，及时就诊。"],
            "病情分析。\n补充说明。",
            "建议复查。\n如果加重，及时就诊。",
        ),
        (["病情分析。", "综上所述，问题不大。"], "病情分析。", "综上所述，问题不大。"),
        (["建议多喝水。"], "建议多喝水。", None),  # the only paragraph is the summary
        (["病情分析，建议观察。"], "病情分析，建议观察。", None),  # 建议 inside, not opening
        (["只有一个1.的段落", "1.孤立的一项"], "只有一个1.的段落\n1.孤立的一项", None),
    ],
)
def test_split_answer_without_list(paragraphs, summary, advice):
    parts = split_answer(paragraphs)
    assert parts.items == []
    assert (parts.summary, parts.advice) == (summary, advice)


# --- drug mentions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "drugs"),
    [
        ("可以考虑使用非甾体抗炎药如布洛芬来缓解疼痛。", ["布洛芬"]),
        (
            "患者应在医师指导下使用抗生素治疗，如阿莫西林胶囊、头孢克肟分散片等。",
            ["阿莫西林胶囊", "头孢克肟分散片"],
        ),
        ("使用营养神经类药物进行治疗，如维生素B族中的维生素B1、甲钴胺等。", ["维生素B1", "甲钴胺"]),
        ("可在医生指导下用药，例如氯雷他定片、西替利嗪。", ["氯雷他定片", "西替利嗪"]),
        ("止痛可以选择比如布洛芬和对乙酰氨基酚。", ["布洛芬", "对乙酰氨基酚"]),
        ("比如布洛芬以及对乙酰氨基酚等。", ["布洛芬", "对乙酰氨基酚"]),
        (
            "可以遵医嘱服用抑酸药物，如口服奥美拉唑肠溶胶囊、雷贝拉唑钠肠溶片。",
            ["奥美拉唑肠溶胶囊", "雷贝拉唑钠肠溶片"],
        ),
        ("需要使用免疫抑制药物，如甲氨蝶呤、来氟米特等。", ["甲氨蝶呤", "来氟米特"]),
        ("常用药物如：布洛芬、对乙酰氨基酚等。", ["布洛芬", "对乙酰氨基酚"]),
        ("可以外用药物缓解疼痛，如双氯芬酸二乙胺乳胶剂。", ["双氯芬酸二乙胺乳胶剂"]),
        ("可以热敷眼睑，如玻璃酸钠滴眼液。", ["玻璃酸钠滴眼液"]),
        ("如阿莫西林胶囊，如阿莫西林胶囊。", ["阿莫西林胶囊"]),  # no repeats
    ],
)
def test_drugs_mentioned(text, drugs):
    assert drugs_mentioned(text) == drugs


@pytest.mark.parametrize(
    "text",
    [
        "需要及时就医并接受适当的手术治疗，例如开颅减压术。",
        "如果压迫面神经，则会导致面部肌肉痉挛。",
        "可进行物理治疗，如针灸、推拿等。",
        "可以配合康复训练，比如提肛运动。",
        "如出现发热应及时就诊。",
        "比如尘螨、宠物毛发等过敏原。",
        "部分药物会干扰月经周期，例如：\n①紧急避孕药。",
        "",
    ],
)
def test_no_drugs_mentioned(text):
    assert drugs_mentioned(text) == []


# --- doctors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "rank"),
    [
        ("主任医师", "chief"),
        ("副主任医师", "associate_chief"),
        ("主治医师", "attending"),
        ("住院医师", "resident"),
        ("医师", "resident"),
        ("主任中医师", "chief"),
        ("副主任中医师", "associate_chief"),
        ("主治中医师", "attending"),
        ("中医师", "resident"),
        ("教授", None),
        ("主管护师", None),
        ("", None),
        (None, None),
    ],
)
def test_title_rank(title, rank):
    assert title_rank(title) == rank


@pytest.mark.parametrize(
    "tokens",
    [
        ["副主任医师", "北京大学第一医院", "三甲"],
        ["三甲", "副主任医师", "北京大学第一医院"],
        ["北京大学第一医院", "三甲", "副主任医师"],
    ],
)
def test_classify_doctor_tokens_any_order(tokens):
    roles = classify_doctor_tokens(tokens)
    assert (roles.title, roles.hospital, roles.grade, roles.other) == (
        "副主任医师",
        "北京大学第一医院",
        "三甲",
        [],
    )


@pytest.mark.parametrize(
    ("tokens", "title", "hospital", "grade"),
    [
        (["主治医师", "三甲"], "主治医师", None, "三甲"),
        (
            ["三级甲等", "主任医师", "首都医科大学附属北京友谊医院"],
            "主任医师",
            "首都医科大学附属北京友谊医院",
            "三级甲等",
        ),
        (["住院医师", "广州市妇女儿童医疗中心"], "住院医师", "广州市妇女儿童医疗中心", None),
        (["二甲", "佛山市中医院"], None, "佛山市中医院", "二甲"),
        (["社区卫生服务站"], None, None, None),
    ],
)
def test_classify_doctor_tokens(tokens, title, hospital, grade):
    roles = classify_doctor_tokens(tokens)
    assert (roles.title, roles.hospital, roles.grade) == (title, hospital, grade)


def test_age_and_count():
    assert parse_age("28岁") == 28
    assert parse_age("3 岁") == 3
    assert parse_age("女") is None
    assert parse_count("医生回答(1)") == 1
    assert parse_count("精选回答（12）") == 12
    assert parse_count("医生回答") is None


# --- dates -----------------------------------------------------------------------------------

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)  # 16:00 in Beijing


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("2024-02-24 20:54", "2024-02-24T20:54:00+08:00"),
        ("2024-02-24 20:54:05", "2024-02-24T20:54:05+08:00"),
        ("2018-05-12 09:31", "2018-05-12T09:31:00+08:00"),
        ("2024/2/24", "2024-02-24"),
        ("2024.02.24", "2024-02-24"),
        ("2024年2月24日", "2024-02-24"),
        ("2024年2月24日 20:54", "2024-02-24T20:54:00+08:00"),
        ("2019 年 10 月 30 日", "2019-10-30"),
        ("  2024-02-24  ", "2024-02-24"),
        # no year: the latest such date not after the crawl
        ("4月20日", "2026-04-20"),
        ("12月25日", "2025-12-25"),
        ("11-19 09:30", "2026-11-19T09:30:00+08:00"),
        ("11-21 09:30", "2025-11-21T09:30:00+08:00"),
        ("2月29日", "2024-02-29"),
        # relative to the crawl time
        ("3天前", "2026-11-17T16:00:00+08:00"),
        ("3小时前", "2026-11-20T13:00:00+08:00"),
        ("5分钟前", "2026-11-20T15:55:00+08:00"),
        ("昨天 10:20", "2026-11-19T10:20:00+08:00"),
        ("今天 08:15", "2026-11-20T08:15:00+08:00"),
        ("前天", "2026-11-18T16:00:00+08:00"),
        ("刚刚", "2026-11-20T16:00:00+08:00"),
    ],
)
def test_parse_date(raw, iso):
    assert parse_date(raw, NOW) == iso


@pytest.mark.parametrize(
    "raw",
    [
        "2024-13-01",
        "2024-02-30",
        "2024-02-24 25:00",
        "2月30日",
        "13月1日",
        "不是日期",
        "",
        "   ",
        None,
    ],
)
def test_parse_date_invalid(raw):
    assert parse_date(raw, NOW) is None


def test_parse_date_never_in_the_future():
    assert parse_date("明天", NOW) is None


def test_clean_fast_path_agrees_with_normalise():
    """`clean` skips text that is already clean; it must never skip text that isn't."""
    import random

    from medcrawl.extract.text import clean, normalise

    alphabet = [
        "a",
        "中",
        "，",
        " ",
        "  ",
        "\n",
        "\t",
        "\r",
        "\u3000",
        "\xa0",
        "\u200b",
        "\ufeff",
        "１",
        "Ａ",
        "ｚ",
        "\u2003",
        "\f",
        "\v",
        "。",
    ]
    rng = random.Random(20261126)
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
        assert clean(text) == normalise(text), repr(text)
        assert clean(clean(text)) == clean(text), repr(text)


# --- labelled answer sections, table rows, notices -------------------------------------------


def test_labelled_sections_are_split_at_the_site_s_labels():
    """Lines before the first label are the analysis; labels are removed, run in or alone."""
    import re

    from medcrawl.extract.medical import labelled_sections

    analysis = re.compile(r"^分析[：:]\s*")
    guidance = re.compile(r"^意见[：:]\s*")
    lines = ["你好。", "分析：考虑感冒。", "多喝水。", "意见：", "休息。"]
    assert labelled_sections(lines, analysis, guidance) == (
        ["你好。", "考虑感冒。", "多喝水。"],
        ["休息。"],
    )
    assert labelled_sections(["考虑感冒。"], analysis, guidance) == (None, None)


def test_split_answer_advice_label_after_a_list():
    parts = split_answer(
        [
            "病情分析：",
            "常见原因有：",
            "1.慢性胃炎：饭后饱胀。",
            "2.反流：烧心。",
            "指导意见：",
            "做胃镜。",
        ]
    )
    assert [i.name for i in parts.items] == ["慢性胃炎", "反流"]
    assert parts.advice == "指导意见：\n做胃镜。"


def test_text_lines_reads_a_table_row_as_one_line():
    from parsel import Selector

    from medcrawl.extract.html import text_lines

    html = """<div>病情如下：<table>
      <tr><td>病情描述：</td><td>
        发烧三天，最高39℃。</td></tr>
      <tr><td>身高：98cm</td><td>体重：15kg</td><td> </td></tr>
      <tr><th>想得到怎样的帮助:</th><td>要输液吗？<br>需要住院吗？</td></tr>
    </table>谢谢</div>"""
    assert text_lines(Selector(text=html).xpath("//div")[0]) == [
        "病情如下：",
        "病情描述：发烧三天，最高39℃。",
        "身高：98cm 体重：15kg",
        "想得到怎样的帮助:要输液吗？ 需要住院吗？",
        "谢谢",
    ]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("抱歉，该问题已关闭，暂时无法查看。", "removed"),
        ("此问题已被关闭", "removed"),
        ("对不起，您访问的问题不存在或已被删除！", "removed"),
        ("欢迎来到首页", None),
    ],
)
def test_notice(text, reason):
    from parsel import Selector

    from medcrawl.extract.notices import notice

    html = f"<html><head><title>提示</title></head><body><p>{text}</p></body></html>"
    assert notice(Selector(text=html)) == reason


def test_normalise_translates_exactly_the_mapped_characters():
    """`normalise` skips str.translate when `_MAPPED` finds nothing: the two must agree."""
    from medcrawl.extract.text import _MAPPED, _TRANSLATE

    for cp in range(0x10000):
        assert (cp in _TRANSLATE) == bool(_MAPPED.match(chr(cp))), hex(cp)
