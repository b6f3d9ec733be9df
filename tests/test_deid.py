"""De-identification: a table of texts and what they become. Negatives are numbers and words
that look like personal details but are doses, dates, ages, lab values or symptoms."""

from __future__ import annotations

import pytest

from medcrawl.corpus.deid import deidentify, deidentify_together

POSITIVE = [
    # mobiles: plain, spaced, dashed, +86
    ("电话13812345678", "电话[PHONE]"),
    ("我的手机号是 159-0000-1111，谢谢", "我的手机号是 [PHONE]，谢谢"),
    ("打138 1234 5678找我", "打[PHONE]找我"),
    ("+86 138-1234-5678", "[PHONE]"),
    # landlines with an area code, extension, service numbers, a local number with its cue
    ("挂号电话010-88886666转123", "挂号电话[PHONE]"),
    ("请拨(0571)87654321", "请拨[PHONE]"),
    ("0755 2345678", "[PHONE]"),
    ("客服400-123-4567", "客服[PHONE]"),
    ("电话：8765 4321", "电话：[PHONE]"),
    # national ID numbers: 18 digits, with X, spaced; 15 digits
    ("身份证110101199003071234", "身份证[ID]"),
    ("身份证号11010119900307123X。", "身份证号[ID]。"),
    ("110101 19900307 123x", "[ID]"),
    ("老身份证110101900307123", "老身份证[ID]"),
    ("住院号：A1234567，床号12", "住院号：[ID]，床号12"),
    # email, QQ, WeChat
    ("邮箱zhang.san@163.com", "邮箱[EMAIL]"),
    ("QQ：123456789", "QQ：[QQ]"),
    ("加扣扣 55667788 详聊", "加扣扣 [QQ] 详聊"),
    ("加我微信：abc_123456", "加我微信：[WECHAT]"),
    ("vx 15900001111", "vx [WECHAT]"),
    ("V信wxid_k9k9k9", "V信[WECHAT]"),
    # URLs, with a scheme, www., or a bare domain
    ("看这个 https://www.example.com/a?b=1。", "看这个 [URL]。"),
    ("详见www.haoyisheng.cn/x", "详见[URL]"),
    ("去example.cn/abc下载", "去[URL]下载"),
    # names the writer states, and their later uses
    ("我叫张三，今年30岁", "我叫[NAME]，今年30岁"),
    ("我叫张三丰今年五十", "我叫[NAME]今年五十"),
    ("患者王某某，男，45岁", "患者[NAME]，男，45岁"),
    ("患者张三，男，张三最近头痛", "患者[NAME]，男，[NAME]最近头痛"),
    ("病人李某头晕", "病人[NAME]头晕"),
    ("姓名：欧阳娜娜，女", "姓名：[NAME]，女"),
    ("患者：刘X 32岁", "患者：[NAME] 32岁"),
]

NEGATIVE = [
    "血压140/90mmHg，心率110次/分",
    "身高175cm，体重65kg，BMI 22.5",
    "布洛芬0.3g，每日3次，连用7天",
    "阿莫西林胶囊0.25g*24粒",
    "0.9%氯化钠注射液250ml",
    "2024-03-15开始发烧，2023年12月5日复查",
    "检查时间20240315 13:45",
    "孩子3岁半，体温38.5度",
    "白细胞12.5×10^9/L，血小板100×10^9/L",
    "空腹血糖7.8mmol/L，肌酐120μmol/L",
    "HCG 15000，孕12周+3天",
    "乙肝病毒DNA 1.5×10^7 IU/mL，AFP 400 ng/ml",
    "血小板计数2024031512",  # 10 digits: no phone or ID shape
    "患者高烧三天",
    "患者出现头痛，患者男，45岁",
    "患者应为男性",
    "我叫了救护车",
    "我叫王医生来看看",
    "微信支付不了，QQ音乐也打不开",
    "维生素B12缺乏，CA125 35.2 U/mL",
    "身份证号码忘带了，医保卡能用吗",
]


@pytest.mark.parametrize(("text", "expected"), POSITIVE)
def test_masks(text, expected):
    assert deidentify(text)[0] == expected


@pytest.mark.parametrize("text", NEGATIVE)
def test_leaves_medical_numbers_and_words(text):
    masked, counts = deidentify(text)
    assert masked == text
    assert not counts


def test_counts_by_kind_and_empty_input():
    _, counts = deidentify("我叫张三，电话13812345678，张三的QQ：123456789")
    assert counts == {"NAME": 2, "PHONE": 1, "QQ": 1}
    assert deidentify(None) == (None, {})
    assert deidentify("") == ("", {})


def test_a_name_stated_in_one_text_is_masked_in_the_others():
    texts = ["头痛三天", "我叫张三，头痛三天", None, "张三你好，建议休息", "谢谢医生，张三明白了"]
    assert deidentify_together(texts) == [
        ("头痛三天", {}),
        ("我叫[NAME]，头痛三天", {"NAME": 1}),
        (None, {}),
        ("[NAME]你好，建议休息", {"NAME": 1}),
        ("谢谢医生，[NAME]明白了", {"NAME": 1}),
    ]
    assert deidentify("张三你好")[0] == "张三你好"  # alone, nothing says it is a name
