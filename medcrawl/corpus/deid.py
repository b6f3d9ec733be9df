"""De-identification of patient-written text before a corpus is published.

`deidentify(text)` replaces contact details and identity numbers with typed placeholders:
`[PHONE]` (mobiles `1[3-9]x` in any 3-4-4 spacing, landlines with an area code, 400/800
numbers, local numbers after 电话/手机), `[ID]` (18- and 15-digit national ID numbers,
hospital record numbers after 住院号/病历号 …), `[EMAIL]`, `[QQ]` and `[WECHAT]` (a number or
id after QQ/扣扣 or 微信/VX/wx), `[URL]`, and `[NAME]`: a name the writer states (`我叫张三`,
`姓名：王芳`, `患者王某某`, `患者张三，男，45岁`) and every other use of that name —
across all the texts of a page with `deidentify_together`.

Numbers are matched by shape *and* their whole extent (no digit, dot or letter directly
before or after), so doses (`0.5g`), dates (`2024-03-15`, `20240315`), ages, lab values
(`12.5×10^9/L`), blood pressure (`140/90`), heights and weights are left alone. A name after
患者 is taken only in a 某/X form or when sex or age follows, so `患者高烧` stays.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

#: Placeholder kinds; each masks as `[KIND]`.
KINDS = ("EMAIL", "URL", "ID", "QQ", "WECHAT", "PHONE", "NAME")

_L = r"(?<![0-9A-Za-z.])"  # a number starts here: no digit, letter or dot directly before
_R = r"(?![0-9A-Za-z]|\.\d)"  # and ends here (a full stop ending the sentence is fine)
_SEP = r"[-\s]?"
_CUE_END = r"\s*(?:[:：]|是|为)?\s*"  # `QQ：`, `微信是 `, `电话 `

# Common single-character surnames (about 95% of people) and the compound ones.
_SURNAMES_1 = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾"
    "毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰"
    "焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲"
    "房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟"
    "应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
_SURNAMES_2 = "欧阳|司马|诸葛|上官|东方|皇甫|令狐|慕容|尉迟|公孙|夏侯|长孙|宇文|司徒|端木|南宫"
_SURNAME = f"(?:{_SURNAMES_2}|[{_SURNAMES_1}])"
# A given name: one or two characters that are not function words, and not a title.
_GIVEN_CHAR = r"(?![为是的了在和与及或有无不也都就还又再很被把将对向于自今去来说])[\u4e00-\u9fff]"
_GIVEN = rf"(?!医生|大夫|医师|护士|老师|主任|教授){_GIVEN_CHAR}{{1,2}}"
_HIDDEN_GIVEN = r"(?:某某|某|[xX×*＊]{1,2})"  # 王某某, 张X: half-hidden already
_NAME_END = r"(?=[，,。.！!？?；;、:：\s（(）)]|今年|男|女|\d|来自|住|在|的|$)"
_THEN_SEX_OR_AGE = r"(?=[，,、\s]*(?:男|女|性别|年龄|\d{1,3}\s*岁))"

#: (kind, pattern). The `v` group, when present, is what is masked; the rest (a cue such as
#: `QQ：`) stays. Order matters: emails before URLs (a domain), IDs before phones (digits).
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("EMAIL", re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")),
    (
        "URL",
        re.compile(
            r"(?=[A-Za-z0-9])(?:https?://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'*+,;=%]*[A-Za-z0-9/=_#-]"
            r"|(?<![A-Za-z0-9.@-])[A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)*"
            r"\.(?:com|cn|net|org|edu|gov|info|top|xyz|cc|me|io|vip)"
            r"(?:/[A-Za-z0-9\-._~/?#=&%]*)?(?![A-Za-z0-9])"
        ),
    ),
    (
        "ID",
        re.compile(
            # 18 digits: region, birth date, sequence, check digit (X); 6-8-4 spacing allowed.
            rf"(?=[1-9]){_L}[1-9]\d{{5}}{_SEP}(?:18|19|20)\d{{2}}(?:0[1-9]|1[0-2])"
            rf"(?:0[1-9]|[12]\d|3[01]){_SEP}\d{{3}}[0-9Xx]{_R}"
            # 15 digits (issued before 1999): region, yymmdd, sequence.
            rf"|(?=[1-9]){_L}[1-9]\d{{7}}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{{3}}{_R}"
        ),
    ),
    (
        "ID",  # a hospital's record numbers identify the patient too
        re.compile(
            rf"(?:住院|病历|门诊|病案|就诊卡?|医保卡?|社保卡?)号(?:码)?{_CUE_END}"
            rf"(?P<v>[A-Za-z0-9]{{4,20}}){_R}"
        ),
    ),
    (
        "QQ",
        re.compile(rf"(?=[Qq扣])(?:QQ|qq|Qq|扣扣)(?:号码|号)?{_CUE_END}(?P<v>[1-9]\d{{4,10}}){_R}"),
    ),
    (
        "WECHAT",
        re.compile(
            r"(?=[微威薇VvWw])(?:微信|威信|薇信|[Vv]信"
            r"|(?<![A-Za-z])(?:VX|vx|Vx|vX|WX|wx|weixin|WeChat|wechat))"
            rf"(?:号码|号)?{_CUE_END}(?P<v>[A-Za-z][-_A-Za-z0-9]{{5,19}}|\d{{5,12}}){_R}"
        ),
    ),
    (
        "PHONE",
        re.compile(
            # mobile: 1[3-9]x xxxx xxxx, spaced or dashed, with or without +86
            rf"(?=[0-9+(（])(?:{_L}(?:(?:\+|00)?86{_SEP})?1[3-9]\d{_SEP}\d{{4}}{_SEP}\d{{4}}{_R}"
            # landline with area code: 010-12345678, (0571)8765 4321, 0755 23456789 转 123
            rf"|(?:{_L}0\d{{2,3}}|[(（]0\d{{2,3}}[)）]){_SEP}[2-9]\d{{2,3}}{_SEP}\d{{4}}"
            rf"(?:\s*(?:转|-|ext\.?)\s*\d{{1,6}})?{_R}"
            # service numbers: 400-123-4567, 800 123 4567
            rf"|{_L}[48]00{_SEP}\d{{3}}{_SEP}\d{{4}}{_R})"
        ),
    ),
    (
        "PHONE",  # a local number needs its cue
        re.compile(
            rf"(?:电话|手机|座机|固话|联系方式|tel|Tel|TEL)(?:号码|号)?{_CUE_END}"
            rf"(?P<v>[2-9]\d{{2,3}}{_SEP}\d{{4}}){_R}"
        ),
    ),
]

#: Names the writer states: after 我叫/姓名…, any form; after 患者/病人, only a half-hidden
#: one or one followed by sex or age.
_NAMES = re.compile(
    rf"(?:我叫|我名叫|我的名字(?:是|叫)|本人(?:叫|姓名)|姓名){_CUE_END}"
    rf"(?P<v>{_SURNAME}(?:{_HIDDEN_GIVEN}|{_GIVEN}){_NAME_END})"
    rf"|(?:患者|病人|患儿)[:：]?\s*"
    rf"(?P<w>{_SURNAME}(?:{_HIDDEN_GIVEN}|{_GIVEN}{_THEN_SEX_OR_AGE}))"
)


def _mask(pattern: re.Pattern[str], placeholder: str, text: str) -> tuple[str, int]:
    """Replace each match (or just its `v` group) with `placeholder`."""

    def replace(m: re.Match[str]) -> str:
        if "v" not in pattern.groupindex or m.group("v") is None:
            return placeholder
        start, end = m.span("v")
        whole = m.group(0)
        return whole[: start - m.start()] + placeholder + whole[end - m.start() :]

    return pattern.subn(replace, text)


def _mask_details(text: str) -> tuple[str, Counter[str]]:
    """`text` with contact details and identity numbers masked, and the counts by kind."""
    counts: Counter[str] = Counter()
    for kind, pattern in _PATTERNS:
        text, n = _mask(pattern, f"[{kind}]", text)
        if n:
            counts[kind] += n
    return text, counts


def deidentify_together(texts: Sequence[str | None]) -> list[tuple[str | None, Counter[str]]]:
    """Each of `texts` (the texts of one page: title, question, answers, follow-ups) with
    personal details masked, and how many of each kind were masked in it. A name stated in
    any of the texts is masked wherever it recurs in all of them."""
    masked = [_mask_details(text) if text else (text, Counter()) for text in texts]
    names = {
        m.group("v") or m.group("w") for text, _ in masked if text for m in _NAMES.finditer(text)
    }
    longest_first = sorted(names, key=len, reverse=True)
    results: list[tuple[str | None, Counter[str]]] = []
    for text, counts in masked:
        for name in longest_first if text else ():
            if n := text.count(name):
                counts["NAME"] += n
                text = text.replace(name, "[NAME]")
        results.append((text, counts))
    return results


def deidentify(text: str | None) -> tuple[str | None, Counter[str]]:
    """`text` with personal details masked, and how many of each kind were masked."""
    return deidentify_together([text])[0]
