"""The demo club.xywy.com as data: the days its index lists, its doctors, and the questions
rendered (by `demo/build_xywy.py`) in the two documented markup generations.

Every answer's text is given as the doctor typed it (lines); the expected items follow from
it by the shared rules, and `tests/test_demo_crawl.py` checks them field by field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

#: The days the index lists, newest first (two index pages); a crawl without bounds takes the
#: newest 7 — 2024-02-28 and 2024-02-29 are listed but not crawled (nor archived).
LAST_DAY = date(2024, 3, 7)
INDEX_DAYS = [LAST_DAY - timedelta(days=n) for n in range(9)]
INDEX_PAGE_SIZE = 5
#: Questions a day list shows per page (the site shows 20; few here, so a day is paged).
LIST_PAGE_SIZE = 4


@dataclass(frozen=True)
class Doctor:
    name: str
    title: str
    specialties: str
    profile: int | None = None  # doc_card/<profile>; None: no profile link


DOCTORS = {
    "zhao": Doctor("赵志刚", "主治医师", "胃炎、胃溃疡、功能性消化不良", 6937219),
    "li": Doctor("李堃", "主任医师", "月经不调、不孕症、多囊卵巢综合征", 2209457),
    "sun": Doctor("孙晓东", "主治医师", "小儿呼吸道感染 小儿腹泻", 4417320),
    "wu": Doctor("吴建国", "副主任医师", "颈腰椎病、腰椎间盘突出症、骨质疏松", 4510782),
    "huang": Doctor("黄丽娟", "主治医师", "湿疹、荨麻疹、痤疮", 9920183),
    "xu": Doctor("许文博", "副主任医师", "头痛、眩晕、癫痫", 5530821),
    "qian": Doctor("钱镕", "主任医师", "儿童近视、斜视、弱视", 1203398),
    "feng": Doctor("冯喆", "医师", "眼科常见病"),
    "zhou": Doctor("周敏", "医师", "内科常见病"),
}


@dataclass(frozen=True)
class FollowUp:
    label: str  # as shown: `追问：`, `赵志刚医生回复：`
    role: str
    text: str
    time: str


@dataclass(frozen=True)
class Answer:
    doctor: str
    lines: tuple[str, ...]
    time: str
    best: bool = False
    follow_ups: tuple[FollowUp, ...] = ()
    #: The answer's numbered list: its kind and its items' (name, text), for the checks.
    kind: str | None = None
    items: tuple[tuple[str | None, str], ...] = ()


@dataclass(frozen=True)
class Question:
    id: int
    day: date
    title: str
    text: tuple[str, ...]
    sex: str
    age: int | None
    asked: str
    crumbs: tuple[str, ...]
    generation: int  # 2017 or 2021 markup
    charset: str  # how the page declares GBK: "header", "meta" or "none"
    answers: tuple[Answer, ...] = ()
    related: tuple[str, ...] = field(default=())  # URLs the related box links, as written


def _day(n: int) -> date:
    return LAST_DAY - timedelta(days=n)


# The fixture pages are linked from these questions' related boxes (in the forms the site
# writes them: http, the 3g mirror, the older /question/ path), so a crawl reaches them.
FIXTURE_LINKS = (
    "http://club.xywy.com/static/20170223/126671067.htm",
    "http://3g.club.xywy.com/static/20160815/110452337.htm",
    "/question/20151102/89231544.htm",
    "/static/20180720/140251377.htm",
    "https://club.xywy.com/static/20210604/167883201.htm",
    "/static/20210912/171025583.htm",
    "https://3g.club.xywy.com/mip/static/20220318/178834126.htm",
    "/static/20230509/190244718.htm",
    "/static/20211103/173310098.htm",
)

QUESTIONS = (
    Question(
        id=180000101,
        day=_day(0),
        title="吃了辣的东西胃疼，还拉肚子怎么办",
        text=(
            "昨天晚上吃了火锅，今天早上开始胃疼，拉了三次肚子，不发烧。",
            "想得到怎样的帮助：吃什么药好？",
        ),
        sex="男",
        age=29,
        asked="2024-03-07 08:12:40",
        crumbs=("内科", "消化内科"),
        generation=2021,
        charset="header",
        answers=(
            Answer(
                "zhao",
                (
                    "你好，吃辛辣食物后胃疼腹泻，常见原因有：",
                    "1.急性胃肠炎：辛辣刺激胃肠黏膜，引起胃痛、腹泻。",
                    "2.饮食不洁：火锅食材不新鲜，细菌感染引起腹泻，可在医生指导下服用止泻药物，如蒙脱石散。",
                    "建议清淡饮食，多喝温水，腹泻严重或发烧及时就医。",
                ),
                "2024-03-07 09:01:15",
                best=True,
                kind="causes",
                items=(
                    ("急性胃肠炎", "辛辣刺激胃肠黏膜，引起胃痛、腹泻。"),
                    (
                        "饮食不洁",
                        "火锅食材不新鲜，细菌感染引起腹泻，可在医生指导下服用止泻药物，如蒙脱石散。",
                    ),
                ),
                follow_ups=(
                    FollowUp("追问：", "patient", "需要吃消炎药吗？", "2024-03-07 09:20:00"),
                    FollowUp(
                        "赵志刚医生回复：", "doctor", "没有发烧一般不需要。", "2024-03-07 09:41:30"
                    ),
                ),
            ),
            Answer(
                "zhou",
                ("胃肠炎的可能性大，注意饮食。", "平时少吃辛辣油腻。"),
                "2024-03-07 10:05:00",
            ),
        ),
        related=(FIXTURE_LINKS[0], FIXTURE_LINKS[1]),
    ),
    Question(
        id=180000102,
        day=_day(0),
        title="月经量少颜色发黑是怎么回事",
        text=("最近三个月月经量很少，两天就干净了，颜色发黑。",),
        sex="女",
        age=32,
        asked="2024-03-07 11:30:02",
        crumbs=("妇产科", "妇科", "月经不调"),
        generation=2017,
        charset="meta",
        answers=(
            Answer(
                "li",
                (
                    "您好，月经量少、颜色发黑可能的原因：",
                    "一、内分泌失调：熬夜、压力大影响激素水平。",
                    "二、宫腔粘连：做过人流手术的要考虑。",
                    "三、卵巢功能下降：需要查性激素六项和AMH。",
                    "建议月经第2～4天抽血检查性激素六项，并做妇科B超。",
                ),
                "2024-03-07 12:02:11",
                best=True,
                kind="causes",
                items=(
                    ("内分泌失调", "熬夜、压力大影响激素水平。"),
                    ("宫腔粘连", "做过人流手术的要考虑。"),
                    ("卵巢功能下降", "需要查性激素六项和AMH。"),
                ),
            ),
        ),
        related=(FIXTURE_LINKS[2],),
    ),
    Question(
        id=180000103,
        day=_day(0),
        title="孩子咳嗽有痰两周了不见好",
        text=("孩子4岁，咳嗽两周，有痰咳不出来，晚上咳得多。",),
        sex="女",
        age=4,
        asked="2024-03-07 14:44:18",
        crumbs=("儿科", "小儿内科"),
        generation=2021,
        charset="none",
        answers=(
            Answer(
                "sun",
                (
                    "孩子咳嗽两周以上，常见原因：",
                    "①感染后咳嗽，气道高反应，可持续数周；",
                    "②支原体感染，需要查支原体抗体；",
                    "③过敏性咳嗽，夜间和晨起明显。",
                    "建议到儿科听诊，必要时拍胸片。",
                ),
                "2024-03-07 15:10:09",
                kind="causes",
                items=(
                    (None, "感染后咳嗽，气道高反应，可持续数周"),
                    (None, "支原体感染，需要查支原体抗体"),
                    (None, "过敏性咳嗽，夜间和晨起明显。"),
                ),
            ),
        ),
    ),
    Question(
        id=180000104,
        day=_day(0),
        title="腰疼得厉害要做什么检查",
        text=("搬东西闪了腰，疼了三天，翻身都困难。",),
        sex="男",
        age=41,
        asked="2024-03-07 16:02:33",
        crumbs=("骨科", "脊柱外科"),
        generation=2017,
        charset="header",
        answers=(
            Answer(
                "wu",
                (
                    "你好，急性腰扭伤的可能性大，处理方法如下：",
                    "1、卧床休息：睡硬板床，避免弯腰。",
                    "2、药物治疗：疼痛明显可在医生指导下外用药物，如双氯芬酸二乙胺乳胶剂。",
                    "3、物理治疗：48小时后可以热敷。",
                    "如果出现腿麻、大小便异常要及时就诊。",
                ),
                "2024-03-07 16:40:00",
                best=True,
                kind="treatment",
                items=(
                    ("卧床休息", "睡硬板床，避免弯腰。"),
                    ("药物治疗", "疼痛明显可在医生指导下外用药物，如双氯芬酸二乙胺乳胶剂。"),
                    ("物理治疗", "48小时后可以热敷。"),
                ),
            ),
        ),
        related=(FIXTURE_LINKS[3], FIXTURE_LINKS[4]),
    ),
    Question(
        id=180000105,
        day=_day(0),
        title="手上长了很多小红点很痒",
        text=("手背上长了很多小红点，很痒，抹了药膏不管用。",),
        sex="女",
        age=25,
        asked="2024-03-07 19:20:51",
        crumbs=("皮肤性病科", "皮肤科"),
        generation=2021,
        charset="meta",
        answers=(
            Answer(
                "huang",
                ("病情分析：考虑湿疹或接触性皮炎。", "指导意见：建议外用药膏，避免接触洗涤剂。"),
                "2024-03-07 20:01:00",
            ),
        ),
        related=(FIXTURE_LINKS[5],),
    ),
    Question(
        id=180000201,
        day=_day(1),
        title="头痛恶心是偏头痛吗",
        text=("右边头一跳一跳地疼，想吐，休息以后好一点。",),
        sex="女",
        age=35,
        asked="2024-03-06 09:15:00",
        crumbs=("内科", "神经内科"),
        generation=2017,
        charset="none",
        answers=(
            Answer(
                "xu",
                (
                    "你好，从描述看偏头痛的可能性大。",
                    "建议发作时安静休息，记录头痛日记，频繁发作到神经内科就诊。",
                ),
                "2024-03-06 10:00:00",
                best=True,
                follow_ups=(
                    FollowUp("追问：", "patient", "可以吃止痛药吗？", "2024-03-06 10:30:00"),
                    FollowUp("回复：", "doctor", "偶尔可以，不要长期吃。", "2024-03-06 11:00:00"),
                ),
            ),
            Answer("zhou", ("头痛原因很多，需要面诊。",), "2024-03-06 12:00:00"),
        ),
        related=(FIXTURE_LINKS[7],),
    ),
    Question(
        id=180000202,
        day=_day(1),
        title="孩子眼睛近视了怎么办",
        text=("孩子8岁，体检视力4.7，看黑板模糊。",),
        sex="男",
        age=8,
        asked="2024-03-06 13:00:00",
        crumbs=("五官科", "眼科"),
        generation=2021,
        charset="header",
        answers=(
            Answer(
                "qian", ("您好，建议先散瞳验光，区分真性近视和假性近视。",), "2024-03-06 14:00:00"
            ),
            Answer("feng", ("您好，平时控制用眼时间，多到户外活动。",), "2024-03-06 15:00:00"),
        ),
        related=(FIXTURE_LINKS[6],),
    ),
    Question(
        id=180000301,
        day=_day(2),
        title="早上起来打喷嚏流鼻涕",
        text=("每天早上起床打喷嚏，流清鼻涕。",),
        sex="男",
        age=30,
        asked="2024-03-05 07:30:00",
        crumbs=("五官科", "耳鼻喉科"),
        generation=2021,
        charset="none",
        answers=(Answer("zhou", ("考虑过敏性鼻炎，建议查过敏原。",), "2024-03-05 08:30:00"),),
        related=(FIXTURE_LINKS[8],),
    ),
    Question(
        id=180000401,
        day=_day(3),
        title="肚子胀气老放屁怎么回事",
        text=("最近肚子老是胀，放屁多。",),
        sex="女",
        age=45,
        asked="2024-03-04 10:10:10",
        crumbs=("内科", "消化内科"),
        generation=2017,
        charset="meta",
        answers=(
            Answer(
                "zhao",
                ("你好，胀气多与消化不良有关，少吃产气食物。",),
                "2024-03-04 11:11:11",
                best=True,
            ),
        ),
    ),
    Question(
        id=180000501,
        day=_day(4),
        title="脚踝扭伤肿了怎么处理",
        text=("打球扭到脚踝，肿得很厉害。",),
        sex="男",
        age=19,
        asked="2024-03-03 18:00:00",
        crumbs=("骨科", "运动医学科"),
        generation=2021,
        charset="header",
        answers=(
            Answer(
                "wu",
                ("先冰敷，抬高患肢，24小时后再热敷。", "建议拍片排除骨折。"),
                "2024-03-03 19:00:00",
            ),
        ),
    ),
    Question(
        id=180000601,
        day=_day(5),
        title="宝宝发烧38度5要吃退烧药吗",
        text=("宝宝1岁半，发烧38.5℃，精神还好。",),
        sex="男",
        age=1,
        asked="2024-03-02 21:05:00",
        crumbs=("儿科", "小儿内科"),
        generation=2017,
        charset="header",
        answers=(
            Answer(
                "sun", ("38.5℃以上可以用退烧药，注意多喝水。",), "2024-03-02 21:30:00", best=True
            ),
        ),
    ),
    Question(
        id=180000701,
        day=_day(6),
        title="经常失眠睡不着怎么办",
        text=("最近一个月每天凌晨两三点才能睡着。",),
        sex="女",
        age=38,
        asked="2024-03-01 23:40:00",
        crumbs=("内科", "神经内科"),
        generation=2021,
        charset="meta",
        answers=(Answer("xu", ("建议规律作息，睡前不要看手机。",), "2024-03-02 08:00:00"),),
    ),
)

#: Pages the day lists link that are no questions to write: the bad fixture pages (under
#: their own URLs) and a listed question the archive does not hold (replay answers 404).
NOT_ARCHIVED = "https://club.xywy.com/static/20240305/180000399.htm"
