# ruff: noqa: E501  (a data table: each answer line stays whole, as the doctor wrote it)
"""The demo site's content: doctors, drugs, disease entries and question pages, as data.

Written for the demo archive (not copied from the live site): varied departments, diseases,
doctors and numbering styles, pages with and without the 疾病百科 box, drugs and recommended
doctors, and doctors/drugs/diseases shared between pages so that dedupe shows. `build_demo.py`
renders every question here in the documented 2024 markup (see tests/fixtures/ask39/seed_2024.html).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Doctor:
    """An answering doctor: the profile link gives the id (`ask39:doctor:<profile>`)."""

    name: str
    title: str
    profile: str
    hospital: str | None = None
    grade: str | None = None
    specialties: str = ""


@dataclass(frozen=True)
class Recommended:
    """A 推荐医生 entry of the sidebar: no profile link, so the id hashes name + hospital."""

    name: str
    title: str
    hospital: str


@dataclass(frozen=True)
class Drug:
    name: str
    ypk: int
    indication: str


@dataclass(frozen=True)
class Disease:
    name: str
    slug: str
    summary: str
    symptom_causes: str
    possible: tuple[str, ...]
    checks: tuple[str, ...]
    departments: tuple[str, ...]


@dataclass(frozen=True)
class Item:
    """A numbered list item: a short heading (or None) and its explanation."""

    name: str | None
    text: str = ""


@dataclass(frozen=True)
class Answer:
    doctor: str
    time: str
    lead: tuple[str, ...] = ()
    style: str = "1."  # numbering: 1. 1、 1． （1） (1) ① 一、 （一） 第一，
    inline: bool = False  # heading run into its text (`1、幽门螺杆菌感染：…`) or on its own line
    items: tuple[Item, ...] = ()
    kind: str = "causes"  # what a careful reader calls the list (medcrawl.extract.lists)
    advice: tuple[str, ...] = ()
    tips_heading: str | None = None
    tips: tuple[str, ...] = ()
    follow_ups: tuple[tuple[str, str], ...] = ()  # (label as shown, text)
    paragraphs: str = "br"  # "br": one p.sele_txt split by <br>; "p": one p.sele_txt each


@dataclass(frozen=True)
class Question:
    id: int
    category: str  # key of CATEGORIES: the list pages that link to it
    crumbs: tuple[str, ...]  # breadcrumb between 首页 and the title
    title: str
    asked: str  # as shown on the page
    answers: tuple[Answer, ...]
    text: str | None = None
    sex: str | None = None
    age: int | None = None
    onset: str | None = None
    tags: tuple[str, ...] = ()
    heading: str = "医生回答"  # 医生回答(n) (2024) or 精选回答(n) (G1, G3)
    disease: str | None = None
    drugs: tuple[str, ...] = ()
    recommended: tuple[str, ...] = ()
    user: str = "39网友"


# --- list categories: class id → name; the index links to each ----------------------------
CATEGORIES = {"3150": "内科", "3183": "皮肤性病科", "3207": "儿科"}
LIST_PAGE_SIZE = 7

DOCTORS = {
    "yuanyu": Doctor("袁余", "主治医师", "P4349188", None, "三甲", "全科"),  # as on the seed page
    "lijianhua": Doctor(
        "李建华", "主任医师", "P1022456", "北京协和医院", "三甲",
        "消化性溃疡、胃食管反流病、功能性胃肠病",
    ),
    "wangmin": Doctor(
        "王敏", "副主任医师", "P2318870", "复旦大学附属华山医院", "三甲", "带状疱疹、湿疹、银屑病"
    ),
    "chenxiaodong": Doctor(
        "陈晓东", "主治医师", "P3561207", "广州市第一人民医院", "三甲", "小儿呼吸道感染、小儿腹泻"
    ),
    "zhaogang": Doctor(
        "赵刚", "副主任医师", "P1764093", "山东省立医院", "三甲", "高血压、冠心病、心律失常"
    ),
    "zhoulijuan": Doctor("周丽娟", "住院医师", "P4012378", "南京市鼓楼医院", None, "偏头痛、失眠"),
    "sunwei": Doctor(
        "孙伟", "医师", "P4420916", "杭州市上城区社区卫生服务中心", "一级", "常见病、慢性病管理"
    ),
    "wujing": Doctor(
        "吴静", "副主任医师", "P2650147", "首都医科大学附属北京同仁医院", "三甲",
        "过敏性鼻炎、慢性鼻窦炎",
    ),
}  # fmt: skip

RECOMMENDED = {
    # The first three are also on the seed page: the same ids, written once.
    "zhangcaidong": Recommended("张彩东", "副主任医师", "济南远大中医脑康医院"),
    "yuming": Recommended("余明", "主任医师", "济南远大中医脑康医院"),
    "houwandong": Recommended("侯万东", "副主任医师", "广州附医华南医院"),
    "machao": Recommended("马超", "主任医师", "上海长海医院"),
    "zhenghong": Recommended("郑红", "副主任医师", "浙江大学医学院附属第一医院"),
    "hewen": Recommended("何文", "主治医师", "武汉协和医院"),
    "linxiaoyan": Recommended("林小燕", "主任医师", "深圳市儿童医院"),
    "dengjie": Recommended("邓洁", "副主任医师", "湖南省人民医院"),
    "xiedong": Recommended("谢东", "主治医师", "西安交通大学第一附属医院"),
    "qianjin": Recommended("钱进", "主任医师", "中国医学科学院皮肤病医院"),
    "fanting": Recommended("范婷", "副主任医师", "上海市皮肤病医院"),
}

DRUGS = {
    # Also on the seed page, with the same indication: the same id, written once.
    "pzh": Drug("复方片仔癀软膏", 622459, "清热，解毒，止痛。用于带状疱疹单纯疱疹脓疱疮、毛囊炎、痤疮。"),
    "omeprazole": Drug(
        "奥美拉唑肠溶胶囊", 525987,
        "适用于胃溃疡、十二指肠溃疡、应激性溃疡、反流性食管炎和卓-艾综合征（胃泌素瘤）。",
    ),
    "hydrotalcite": Drug(
        "铝碳酸镁咀嚼片", 568812,
        "用于慢性胃炎；与胃酸有关的胃部不适症状，如胃痛、胃灼热感（烧心）、酸性嗳气、饱胀等。",
    ),
    "smectite": Drug("蒙脱石散", 546109, "用于成人及儿童急、慢性腹泻。"),
    "ibuprofen": Drug(
        "布洛芬混悬液", 590214,
        "用于儿童普通感冒或流行性感冒引起的发热。也用于缓解儿童轻至中度疼痛，如头痛、关节痛、"
        "偏头痛、牙痛、肌肉痛、神经痛。",
    ),
    "aciclovir": Drug("阿昔洛韦乳膏", 533476, "用于单纯疱疹或带状疱疹感染。"),
    "loratadine": Drug(
        "氯雷他定片", 511902,
        "用于缓解过敏性鼻炎有关的症状，如喷嚏、流涕、鼻痒、鼻塞以及眼部痒及烧灼感。"
        "亦适用于缓解慢性荨麻疹、瘙痒性皮肤病及其他过敏性皮肤病的症状及体征。",
    ),
    "nifedipine": Drug(
        "硝苯地平控释片", 580376, "高血压、冠心病、慢性稳定型心绞痛（劳累性心绞痛）。"
    ),
    "mecobalamin": Drug("甲钴胺片", 502245, "周围神经病。"),
    "flunarizine": Drug(
        "盐酸氟桂利嗪胶囊", 561130,
        "典型（有先兆）或非典型（无先兆）偏头痛的预防性治疗；由前庭功能紊乱引起的眩晕的对症治疗。",
    ),
    "desonide": Drug(
        "地奈德乳膏", 598803,
        "适用于各种皮肤病，如接触性皮炎、神经性皮炎、脂溢性皮炎、湿疹、银屑病、扁平苔藓、"
        "单纯性苔藓、汗疱症等引起的皮肤炎症和皮肤瘙痒的治疗。",
    ),
    "fluticasone": Drug(
        "丙酸氟替卡松鼻喷雾剂", 555072,
        "用于预防和治疗季节性过敏性鼻炎（包括枯草热）和常年性过敏性鼻炎。",
    ),
}  # fmt: skip

DISEASES = {
    "migraine": Disease(
        "偏头痛", "ptt",
        "偏头痛是一种常见的慢性神经血管性疾病，多起病于儿童和青春期，中青年期达发病高峰，"
        "女性多见。常表现为发作性、多为偏侧、中重度、搏动样头痛，一般持续4～72小时，"
        "可伴有恶心、呕吐，光、声刺激或日常活动均可加重头痛。",
        "偏头痛的病因尚不明确，可能与遗传、内分泌和代谢因素及饮食、精神因素等有关。"
        "睡眠过多或过少、月经来潮、情绪紧张、饮酒等都可诱发发作。",
        ("紧张型头痛", "丛集性头痛", "颅内动脉瘤"),
        ("头颅CT", "头颅MRI", "脑电图"),
        ("神经内科",),
    ),
    "cervical": Disease(
        "颈椎病", "jzb",
        "颈椎病是指颈椎间盘退行性变、颈椎骨质增生所引起的一系列临床症状的综合征，"
        "临床常表现为颈、肩臂、肩胛上背及胸前区疼痛，手臂麻木，肌肉萎缩，甚至四肢瘫痪。",
        "长期低头伏案工作、睡眠姿势不良、颈部外伤及慢性劳损是主要诱因，"
        "颈椎间盘退变是颈椎病发生和发展的最基本原因。",
        ("腕管综合征", "肩周炎", "胸廓出口综合征"),
        ("颈椎X线", "颈椎MRI", "肌电图"),
        ("骨科", "神经内科"),
    ),
    "gastritis": Disease(
        "慢性胃炎", "mxwy",
        "慢性胃炎是由各种病因引起的胃黏膜慢性炎症，是消化系统常见病。"
        "多数患者无明显症状，部分表现为上腹痛、饱胀、嗳气、反酸等消化不良症状。",
        "幽门螺杆菌感染是最常见的病因，此外饮食不规律、长期饮酒、服用非甾体抗炎药、"
        "胆汁反流及自身免疫等因素也可导致胃黏膜损伤。",
        ("消化性溃疡", "功能性消化不良", "胃食管反流病"),
        ("胃镜检查", "幽门螺杆菌检测", "上消化道钡餐"),
        ("消化内科",),
    ),
    "hypertension": Disease(
        "高血压", "gxy",
        "高血压是以体循环动脉压增高为主要特征，可伴有心、脑、肾等器官功能或器质性损害的"
        "临床综合征。多数患者早期无症状，部分有头晕、头痛、颈项板紧、疲劳、心悸等表现。",
        "原发性高血压与遗传、高盐饮食、超重和肥胖、长期精神紧张、吸烟饮酒等有关；"
        "继发性高血压可由肾脏疾病、内分泌疾病、睡眠呼吸暂停等引起。",
        ("冠心病", "脑出血", "慢性肾衰竭"),
        ("动态血压监测", "心电图", "肾功能"),
        ("心血管内科",),
    ),
    "shingles": Disease(
        "带状疱疹", "dzpz",
        "带状疱疹是由水痘-带状疱疹病毒再激活引起的急性感染性皮肤病，"
        "表现为沿单侧周围神经分布的簇集性小水疱，常伴明显的神经痛。",
        "初次感染病毒后表现为水痘，病毒潜伏于脊髓后根神经节，当机体免疫力下降时"
        "（如劳累、感冒、年老体弱、肿瘤）病毒再次活动，沿神经纤维移至皮肤而发病。",
        ("单纯疱疹", "接触性皮炎", "肋间神经痛"),
        ("血常规", "疱液病毒检测"),
        ("皮肤科",),
    ),
    "eczema": Disease(
        "湿疹", "sz",
        "湿疹是由多种内外因素引起的真皮浅层及表皮炎症，皮损具有多形性、对称分布、"
        "剧烈瘙痒、反复发作、易成慢性等特点。",
        "病因复杂，与过敏体质、精神紧张、失眠、内分泌失调等内在因素，以及"
        "洗涤剂、化纤织物、动物皮毛、气候变化等外在因素有关。",
        ("接触性皮炎", "手癣", "汗疱疹"),
        ("过敏原检测", "血常规"),
        ("皮肤科",),
    ),
    "infant_diarrhea": Disease(
        "小儿腹泻", "xefx",
        "小儿腹泻是由多病原、多因素引起的以大便次数增多和大便性状改变为特点的"
        "儿科常见病，6个月至2岁婴幼儿发病率高，是造成儿童营养不良的主要原因之一。",
        "感染因素以轮状病毒、诺如病毒及致病性大肠杆菌多见；非感染因素包括喂养不当、"
        "过敏、乳糖不耐受及气候突变等。",
        ("轮状病毒肠炎", "细菌性痢疾", "乳糖不耐受"),
        ("大便常规", "轮状病毒抗原检测", "电解质"),
        ("儿科", "小儿消化科"),
    ),
    "rhinitis": Disease(
        "过敏性鼻炎", "gmxby",
        "过敏性鼻炎即变应性鼻炎，是特应性个体接触变应原后主要由IgE介导的鼻黏膜"
        "非感染性炎性疾病，典型症状为阵发性喷嚏、清水样涕、鼻痒和鼻塞。",
        "与遗传及环境因素有关，常见变应原有尘螨、花粉、动物皮屑、真菌等。",
        ("支气管哮喘", "慢性鼻窦炎", "过敏性结膜炎"),
        ("过敏原检测", "鼻内镜检查"),
        ("耳鼻喉科", "小儿耳鼻喉科"),
    ),
}  # fmt: skip

NEURO = ("内科", "神经内科")
DIGESTIVE = ("内科", "消化内科")
SKIN = ("皮肤性病科", "皮肤科")
CHILD = ("儿科", "小儿内科")

QUESTIONS = (
    Question(
        90000101, "3150", (*NEURO, "偏头痛"), "经常偏头痛是什么原因引起的", "2024-03-12 09:41",
        text="最近半年经常左边头痛，一跳一跳的，严重的时候想吐，睡一觉能好一些。请问是什么原因？",
        sex="女", age=28, onset="发病时间：半年", tags=("偏头痛", "头痛"),
        disease="migraine", drugs=("flunarizine", "mecobalamin"),
        recommended=("zhangcaidong", "yuming", "houwandong"),
        answers=(
            Answer(
                "zhoulijuan", "2024-03-12 10:05",
                lead=("偏头痛常见的原因有遗传因素、精神压力、睡眠不足以及饮食因素等，需要结合具体情况分析。",),
                style="1、",
                items=(
                    Item("遗传因素", "偏头痛有明显的家族聚集性，父母有偏头痛的，子女患病的风险较高。"),
                    Item("精神压力", "长期紧张、焦虑可诱发偏头痛发作，急性发作时可在医生指导下使用止痛药物，如布洛芬缓释胶囊等。"),
                    Item("睡眠不足", "熬夜或睡眠不规律会打乱神经系统的调节，使头痛更容易发作。"),
                    Item("饮食因素", "某些食物可诱发偏头痛，如巧克力、奶酪、红酒等，应注意记录并避免。"),
                ),
                advice=("建议记录头痛日记，找出诱发因素；发作频繁时到神经内科就诊，必要时进行预防性治疗。",),
            ),
        ),
    ),
    Question(
        90000102, "3150", (*NEURO, "失眠"), "晚上总是睡不着，早上很早就醒怎么办", "3天前",
        text="入睡要一两个小时，凌晨四点多就醒，醒了就再也睡不着，白天没精神。",
        sex="男", age=45, tags=("失眠",), heading="精选回答",
        answers=(
            Answer(
                "zhoulijuan", "2天前",
                lead=("入睡困难伴早醒，常见于以下几种情况：",),
                style="（1）", inline=True,
                items=(
                    Item("心理因素", "工作压力大、焦虑或抑郁情绪是中年人失眠最常见的原因，早醒尤其要警惕抑郁。"),
                    Item("不良睡眠习惯", "睡前长时间看手机、午睡过长、作息不规律都会影响夜间睡眠。"),
                    Item("躯体疾病", "慢性疼痛、前列腺增生导致夜尿增多、睡眠呼吸暂停等也会让人反复醒来。"),
                ),
                advice=("建议先调整作息，固定起床时间，睡前一小时不看手机；如果持续超过一个月，请到睡眠门诊或心理科就诊。",),
                follow_ups=(
                    ("追问", "可以吃安眠药吗？"),
                    ("回复", "安眠药需在医生评估后短期使用，不建议自行长期服用。"),
                ),
            ),
            Answer(
                "sunwei", "1天前",
                lead=(
                    "失眠的原因很多，单凭描述无法判断。",
                    "建议白天适量运动，晚饭后避免喝浓茶和咖啡，必要时到医院做睡眠监测。",
                ),
            ),
        ),
    ),
    Question(
        90000103, "3150", (*NEURO, "手麻"), "手指发麻是怎么回事", "2024-05-08 14:20",
        text="右手食指和中指发麻一个月了，晚上更明显，有时候会麻醒。",
        sex="女", age=52, onset="发病时间：1个月", tags=("手麻",),
        disease="cervical", drugs=("mecobalamin",),
        recommended=("houwandong", "machao", "dengjie"),
        answers=(
            Answer(
                "yuanyu", "2024-05-08 15:02",
                lead=("手指发麻可能与颈椎病、腕管综合征、维生素B12缺乏或糖尿病周围神经病变等有关。",),
                style="1.",
                items=(
                    Item("颈椎病", "颈椎间盘突出或骨质增生压迫神经根，可引起手指麻木，常伴颈肩部疼痛。"),
                    Item("腕管综合征", "正中神经在腕部受压，表现为拇指、食指、中指麻木，夜间加重，与您的描述比较符合。"),
                    Item("维生素B12缺乏", "长期素食或胃肠吸收不良可导致维生素B12缺乏，引起周围神经损害，可在医生指导下补充营养神经类药物，如甲钴胺片。"),
                    Item("糖尿病周围神经病变", "血糖控制不佳时可损伤周围神经，多为双手双脚对称性麻木。"),
                ),
                advice=("建议到医院做肌电图、颈椎核磁共振和血糖检查，明确病因后再针对性治疗。",),
            ),
        ),
    ),
    Question(
        90000104, "3150", (*NEURO, "眩晕"), "起床时头晕，天旋地转是什么病", "2024年6月2日",
        text="早上起床一翻身就天旋地转，持续不到一分钟，没有耳鸣。",
        sex="男", age=61, drugs=("flunarizine",), recommended=("zhangcaidong", "yuming"),
        answers=(
            Answer(
                "zhaogang", "2024-06-02 11:30",
                lead=("体位改变时出现的短暂眩晕，常见原因如下：",),
                style="①", inline=True,
                items=(
                    Item("耳石症", "即良性阵发性位置性眩晕，翻身、起床时诱发，持续时间短，是最常见的原因，手法复位效果好。"),
                    Item("后循环缺血", "老年人伴有高血压、糖尿病时要警惕，可伴有视物模糊、言语不清。"),
                    Item("体位性低血压", "由卧位突然站起时血压下降，脑供血不足引起头晕，眼前发黑。"),
                ),
                advice=("建议到神经内科或耳鼻喉科就诊，做变位试验和头颅磁共振检查。",),
            ),
        ),
    ),
    Question(
        90000105, "3150", (*NEURO, "面瘫"), "面瘫一周了，眼睛闭不上怎么办", "昨天 21:15",
        text="一周前早上起来发现嘴歪，左眼闭不紧，喝水漏水。",
        sex="女", age=35, onset="发病时间：7天", tags=("面瘫", "面神经炎"),
        drugs=("mecobalamin",), recommended=("houwandong",),
        answers=(
            Answer(
                "yuanyu", "今天 08:40",
                lead=(
                    "您的情况考虑周围性面瘫（面神经炎）可能性大，一周内属于急性期。",
                    "建议尽快到神经内科就诊，急性期可在医生指导下使用激素和抗病毒药物，眼睛闭合不全要注意保护角膜。",
                ),
            ),
            Answer(
                "zhoulijuan", "今天 09:12",
                kind="treatment",
                lead=("面瘫的治疗分以下几个方面：",),
                style="一、",
                items=(
                    Item("药物治疗", "急性期使用糖皮质激素减轻面神经水肿，并配合营养神经的药物，如甲钴胺片、维生素B1片。"),
                    Item("眼部保护", "外出佩戴眼罩或墨镜，睡前涂眼膏，防止角膜干燥损伤。"),
                    Item("康复训练", "对着镜子做抬眉、闭眼、鼓腮等动作，每天数次，配合针灸理疗。"),
                ),
                advice=("大部分患者在一到三个月内可以恢复，请保持耐心。",),
                paragraphs="p",
            ),
        ),
    ),
    Question(
        90000106, "3150", (*NEURO, "帕金森病"), "手抖是帕金森吗", "2025-01-15 10:02",
        sex="男", age=67, heading="精选回答",
        answers=(
            Answer(
                "sunwei", "2025-01-15 13:45",
                lead=("手抖不一定是帕金森病，要看抖动的特点。",),
                style="1．", inline=True,
                items=(
                    Item("帕金森病", "多为静止时抖动，一侧手先出现，像搓药丸，活动时反而减轻，常伴动作变慢、肢体僵硬。"),
                    Item("特发性震颤", "拿东西、写字时抖动明显，饮少量酒后减轻，常有家族史。"),
                    Item("甲状腺功能亢进", "双手细颤，伴心慌、多汗、消瘦，查甲状腺功能可以明确。"),
                ),
                advice=("综上所述，建议到神经内科请医生当面检查，必要时做甲状腺功能和头颅磁共振。",),
                tips_heading="【温馨提示：】",
                tips=("避免饮用浓茶和咖啡。", "规律作息，避免过度劳累。"),
            ),
        ),
    ),
    Question(
        90000201, "3150", (*DIGESTIVE, "慢性胃炎"), "胃胀、反酸、烧心是怎么回事", "2024-02-26 08:15",
        text="这两个月经常胃胀，吃完饭就反酸烧心，晚上躺下更难受。",
        sex="男", age=38, onset="发病时间：2个月", tags=("胃胀", "反酸"),
        disease="gastritis", drugs=("omeprazole", "hydrotalcite"),
        recommended=("machao", "zhenghong", "hewen"),
        answers=(
            Answer(
                "lijianhua", "2024-02-26 09:30",
                lead=("胃胀伴反酸、烧心，多与慢性胃炎或胃食管反流有关，常见原因有：",),
                style="1、", inline=True,
                items=(
                    Item("幽门螺杆菌感染", "可引起胃黏膜慢性炎症，确诊后需根除治疗，常用抗生素如阿莫西林胶囊、克拉霉素片等，配合抑酸药。"),
                    Item("饮食不规律", "暴饮暴食、吃辛辣油腻食物、饮酒都会刺激胃黏膜，加重反酸。"),
                    Item("胆汁反流", "胆汁反流入胃损伤黏膜，可出现口苦、上腹烧灼感。"),
                    Item("精神因素", "长期紧张焦虑会影响胃肠动力，导致腹胀、消化不良。"),
                ),
                advice=("建议做胃镜和碳13呼气试验明确诊断；平时少食多餐，睡前三小时不进食，床头适当抬高。",),
            ),
        ),
    ),
    Question(
        90000202, "3150", (*DIGESTIVE, "胃溃疡"), "饭后胃痛是胃溃疡吗", "2024-04-03 19:30",
        text="每次吃完饭半小时左右胃就隐隐作痛，持续一两个小时。",
        sex="女", age=29, disease="gastritis", drugs=("omeprazole",),
        recommended=("machao", "zhenghong"),
        answers=(
            Answer(
                "lijianhua", "2024-04-03 21:10",
                lead=("饭后胃痛有胃溃疡的可能，但也要排除其他原因。",),
                style="(1)",
                items=(
                    Item("胃溃疡", "典型表现是进食后半小时到一小时出现上腹痛，下次进食前缓解，有节律性。治疗常用质子泵抑制剂，如奥美拉唑肠溶胶囊。"),
                    Item("慢性胃炎", "疼痛多无规律，伴饱胀、嗳气。"),
                    Item("功能性消化不良", "检查无器质性病变，与精神、饮食因素有关。"),
                ),
                advice=("建议尽快做胃镜检查，避免空腹服用止痛药。",),
            ),
        ),
    ),
    Question(
        90000203, "3150", (*DIGESTIVE, "腹泻"), "经常拉肚子是什么原因", "2024-07-19 11:06",
        text="最近两周每天拉三四次，不成形，没有发烧。",
        sex="男", age=33, onset="发病时间：两周", heading="精选回答",
        drugs=("smectite",), recommended=("hewen",),
        answers=(
            Answer(
                "lijianhua", "2024-07-19 12:00",
                lead=("慢性腹泻的原因较多，常见的有：",),
                style="1.",
                items=(
                    Item("肠易激综合征", "与精神紧张有关，腹痛后排便，便后缓解。"),
                    Item("慢性肠炎", "肠道慢性炎症导致吸收功能下降，大便不成形。"),
                    Item("饮食因素", "进食生冷、油腻食物或乳糖不耐受，都可以引起腹泻，可短期口服止泻药物，如蒙脱石散。"),
                ),
                advice=("建议做大便常规和肠镜检查，注意补充水分。",),
            ),
            Answer(
                "sunwei", "2024-07-20 08:30",
                lead=("先清淡饮食几天，观察大便有没有黏液和血。",),
                follow_ups=(
                    ("追问", "大便里没有血，需要做肠镜吗？"),
                    ("回复", "超过一个月不好转，建议还是做一次肠镜。"),
                ),
            ),
        ),
    ),
    Question(
        90000204, "3150", (*DIGESTIVE, "口臭"), "口臭很严重是胃的问题吗", "5月20日",
        sex="女", age=41,
        answers=(
            Answer(
                "sunwei", "5月21日",
                lead=("口臭大多数来源于口腔，少部分与胃肠道有关。",),
                style="一、",
                items=(
                    Item("口腔问题", "龋齿、牙周炎、舌苔厚是口臭最常见的原因。"),
                    Item("胃肠疾病", "幽门螺杆菌感染、胃食管反流可以引起口臭。"),
                    Item("鼻咽部疾病", "慢性鼻窦炎、扁桃体炎也会产生异味。"),
                ),
                advice=("建议先看口腔科，洗牙并治疗牙周病；如果口腔没有问题，再查幽门螺杆菌。",),
            ),
        ),
    ),
    Question(
        90000205, "3150", (*DIGESTIVE, "便秘"), "便秘好几天了怎么办", "2025-09-30 22:47",
        text="四天没有大便了，肚子胀，平时喝水少。",
        sex="女", age=26,
        answers=(
            Answer(
                "lijianhua", "2025-10-01 08:20",
                kind="advice",
                lead=("偶尔便秘可以先从生活方式调整：",),
                style="第一，",
                items=(
                    Item(None, "多喝水，每天饮水1500毫升以上，早上起床后喝一杯温水。"),
                    Item(None, "多吃蔬菜、水果和粗粮，增加膳食纤维。"),
                    Item(None, "每天固定时间如厕，养成排便习惯，适当运动。"),
                ),
                advice=("如果调整后仍无改善，或者出现便血、体重下降，应及时到消化内科就诊。",),
            ),
        ),
    ),
    Question(
        90000206, "3150", (*DIGESTIVE, "阑尾炎"), "肚子右下方疼是阑尾炎吗", "1天前",
        text="昨天开始肚脐周围疼，今天转到右下腹，按着疼，有点恶心。",
        sex="男", age=22,
        answers=(
            Answer(
                "lijianhua", "1天前",
                kind="other",
                lead=("您描述的转移性右下腹痛，要高度怀疑急性阑尾炎。",),
                style="1.",
                items=(
                    Item(None, "如果疼痛固定在右下腹，伴有发热、恶心，要考虑急性阑尾炎，需尽快就医。"),
                    Item(None, "女性还要排除卵巢囊肿蒂扭转、宫外孕等妇科急症。"),
                ),
                advice=("建议立即到医院急诊，查血常规和腹部彩超，不要自行服用止痛药以免掩盖病情。",),
            ),
        ),
    ),
    Question(
        90000301, "3150", ("内科", "心血管内科", "高血压"), "血压150/95需要吃药吗", "2024-10-11 07:58",
        text="体检发现血压150/95，复查了两次都差不多，没有什么不舒服。",
        sex="男", age=55, onset="发病时间：3个月", tags=("高血压",),
        disease="hypertension", drugs=("nifedipine",), recommended=("dengjie", "xiedong"),
        answers=(
            Answer(
                "zhaogang", "2024-10-11 09:16",
                lead=("非同日三次测量血压都高于140/90，可以诊断为高血压，需要查找原因：",),
                style="1.",
                items=(
                    Item("原发性高血压", "最常见，与遗传、高盐饮食、肥胖、精神紧张有关，需要长期服用降压药物，如硝苯地平控释片、缬沙坦胶囊等。"),
                    Item("肾脏疾病", "慢性肾炎、肾动脉狭窄都可以导致血压升高。"),
                    Item("内分泌疾病", "原发性醛固酮增多症、嗜铬细胞瘤等，年轻人血压高尤其要排查。"),
                    Item("睡眠呼吸暂停", "打鼾严重、夜间憋醒的人群，血压往往难以控制。"),
                ),
                advice=("建议先做24小时动态血压、肾功能和心脏彩超；低盐饮食、控制体重、戒烟限酒，必要时开始药物治疗。",),
            ),
        ),
    ),
    Question(
        90000302, "3150", ("内科", "心血管内科", "心悸"), "心慌胸闷是心脏病吗", "2025-03-03 16:40",
        sex="女", age=47, heading="精选回答", disease="hypertension", recommended=("dengjie",),
        answers=(
            Answer(
                "zhaogang", "2025-03-03 18:02",
                lead=("心慌胸闷的原因有心脏本身的，也有心脏以外的。",),
                style="（1）",
                items=(
                    Item("心律失常", "早搏、房颤等可以引起心慌，做心电图或动态心电图可以发现。"),
                    Item("冠心病", "活动后胸闷、胸痛，休息可缓解，要警惕心肌缺血。"),
                    Item("更年期综合征", "47岁左右的女性常见，伴潮热、出汗、情绪波动。"),
                ),
                advice=("建议先做心电图、心脏彩超和甲状腺功能检查。",),
                tips_heading="【预防小贴士:】",
                tips=("保持规律作息，避免熬夜。", "少喝浓茶和咖啡。", "适量有氧运动，如快走、游泳。"),
            ),
        ),
    ),
    Question(
        90000303, "3150", ("内科", "呼吸内科", "咳嗽"), "咳嗽两周不好是怎么回事", "2024-12-01 20:05",
        text="感冒好了以后一直咳嗽，干咳为主，晚上咳得厉害。",
        sex="男", age=36, recommended=("hewen",),
        answers=(
            Answer(
                "sunwei", "2024-12-01 21:40",
                lead=("感冒后咳嗽超过两周，常见以下原因：",),
                style="1、", inline=True,
                items=(
                    Item("感染后咳嗽", "呼吸道感染后气道高反应，多为干咳，一般三到八周可自行缓解，症状重时可用止咳药物，如右美沙芬、氨溴索口服液等。"),
                    Item("咳嗽变异性哮喘", "夜间和凌晨咳嗽明显，遇冷空气、异味加重。"),
                    Item("上气道咳嗽综合征", "鼻涕倒流刺激咽喉引起咳嗽，常有清嗓动作。"),
                ),
                advice=("建议拍胸片并做肺功能检查，咳嗽超过八周一定要就医。",),
            ),
        ),
    ),
    Question(
        90000304, "3150", ("内科", "内分泌科", "糖尿病"), "总是口干口渴是糖尿病吗", "2025-08-08 08:08",
        text="最近一个月老是口渴，一天要喝很多水，小便也多。",
        sex="女", age=50, heading="精选回答",
        answers=(
            Answer(
                "zhaogang", "2025-08-08 09:00",
                lead=("多饮多尿要首先排查糖尿病，查空腹血糖和糖化血红蛋白就可以初步判断。",),
            ),
            Answer(
                "sunwei", "2025-08-08 10:30",
                lead=("口干的原因还有：",),
                style="(1)", inline=True,
                items=(
                    Item("干燥综合征", "口干伴眼干，中年女性多见。"),
                    Item("甲状腺功能亢进", "代谢增快，出汗多、饮水多。"),
                ),
                advice=("建议到内分泌科完善检查。",),
            ),
            Answer("yuanyu", "2025-08-09 07:45", lead=("建议尽快测血糖，同时注意体重有没有下降。",)),
        ),
    ),
    Question(
        90000401, "3183", (*SKIN, "带状疱疹"), "腰上起了一片水泡很疼是什么", "2024-08-14 13:22",
        text="右边腰上起了一串小水泡，火辣辣地疼，晚上疼得睡不着。",
        sex="男", age=58, onset="发病时间：4天", tags=("带状疱疹", "水泡"),
        disease="shingles", drugs=("aciclovir", "pzh"), recommended=("qianjin", "fanting"),
        answers=(
            Answer(
                "wangmin", "2024-08-14 14:05",
                lead=("单侧腰部成簇水疱伴明显疼痛，首先考虑带状疱疹。",),
                style="1.",
                items=(
                    Item("带状疱疹", "由水痘-带状疱疹病毒引起，沿神经分布，疼痛明显，需尽早抗病毒治疗，如阿昔洛韦片、伐昔洛韦片等。"),
                    Item("单纯疱疹", "多发生在口唇周围，疼痛较轻，容易反复。"),
                    Item("接触性皮炎", "接触过敏物质的部位出现红斑、水疱，以瘙痒为主。"),
                ),
                advice=("建议72小时内到皮肤科就诊，规范抗病毒和止痛治疗，预防后遗神经痛。",),
            ),
        ),
    ),
    Question(
        90000402, "3183", (*SKIN, "湿疹"), "手上湿疹反复发作怎么办", "2025-06-18 09:12",
        text="手指侧面经常起小水泡，很痒，抓破后脱皮，反反复复好几年了。",
        sex="女", age=31, disease="eczema", drugs=("desonide", "loratadine"),
        recommended=("qianjin", "fanting"),
        answers=(
            Answer(
                "wangmin", "2025-06-18 10:40",
                lead=("手部湿疹反复发作，和以下因素关系密切：",),
                style="①",
                items=(
                    Item("接触刺激物", "洗洁精、洗衣粉、消毒液等反复刺激，破坏皮肤屏障。"),
                    Item("过敏体质", "对某些金属、橡胶手套过敏，接触后加重。"),
                    Item("精神因素", "紧张、熬夜时容易复发，即汗疱疹样湿疹。"),
                ),
                advice=("建议做家务戴棉质内衬的手套，勤用护手霜；急性期可外用弱效激素药膏，如地奈德乳膏，瘙痒明显可口服抗组胺药。",),
            ),
        ),
    ),
    Question(
        90000403, "3183", (*SKIN, "痤疮"), "脸上长痘痘怎么回事", "2小时前",
        text="额头和下巴一直长痘，有的有脓头。",
        sex="女", age=19, heading="精选回答", drugs=("pzh",), recommended=("fanting",),
        answers=(
            Answer(
                "wangmin", "1小时前",
                lead=("痤疮与雄激素水平、皮脂分泌过多、毛囊角化异常和痤疮丙酸杆菌感染有关。",),
                style="1、",
                items=(
                    Item("激素水平变化", "青春期雄激素分泌增多，皮脂腺分泌旺盛。"),
                    Item("作息饮食", "熬夜、爱吃甜食和油炸食品都会加重痤疮。"),
                ),
                advice=("建议到皮肤科根据痤疮分级用药，不要用手挤压。",),
                tips_heading="【预防小贴士:】",
                tips=("用温水洗脸，每天两次。", "少吃甜食、奶制品。", "不熬夜，保持大便通畅。"),
            ),
        ),
    ),
    Question(
        90000404, "3183", (*SKIN, "荨麻疹"), "身上起风团很痒是荨麻疹吗", "2024-09-09 18:30",
        text="身上突然起了一块一块的红疙瘩，很痒，几个小时就消了，过一会又起。",
        sex="男", age=24, drugs=("loratadine",), recommended=("qianjin",),
        answers=(
            Answer(
                "wangmin", "2024-09-09 19:15",
                kind="other",
                lead=("风团此起彼伏、24小时内消退，符合荨麻疹的表现，按病程分为：",),
                style="（一）",
                items=(
                    Item("急性荨麻疹", "病程在六周以内，常与食物、药物、感染有关，可口服抗组胺药，如氯雷他定片。"),
                    Item("慢性荨麻疹", "反复发作超过六周，多数找不到明确原因，需要规律用药控制。"),
                ),
                advice=("如果出现胸闷、呼吸困难、喉头发紧，要立即去急诊。",),
            ),
        ),
    ),
    Question(
        90000405, "3183", (*SKIN, "脂溢性皮炎"), "头皮屑多头皮痒怎么办", "2025-11-02 12:00",
        sex="男", age=27,
        answers=(
            Answer(
                "wangmin", "2025-11-02 15:20",
                lead=(
                    "头皮屑多伴瘙痒，常见于脂溢性皮炎或头皮糠秕孢子菌过度繁殖。",
                    "建议使用含酮康唑或二硫化硒的洗剂洗头，每周两到三次，少吃辛辣油腻食物。",
                ),
            ),
            Answer("sunwei", "2025-11-03 08:00", lead=("平时不要用太烫的水洗头，也不要频繁抓挠。",)),
        ),
    ),
    Question(
        90000501, "3207", (*CHILD, "小儿腹泻"), "宝宝拉肚子水样便怎么办", "2024-11-23 02:14",
        text="宝宝一岁，今天拉了五六次水样便，精神还可以，吃奶少了。",
        sex="男", age=1, onset="发病时间：1天", tags=("小儿腹泻",),
        disease="infant_diarrhea", drugs=("smectite",), recommended=("linxiaoyan", "dengjie"),
        answers=(
            Answer(
                "chenxiaodong", "2024-11-23 07:50",
                lead=("一岁宝宝秋冬季水样便，最常见的是轮状病毒肠炎，原因一般有：",),
                style="1.",
                items=(
                    Item("病毒感染", "轮状病毒、诺如病毒感染，大便呈蛋花汤样或水样，可伴呕吐、发热。"),
                    Item("细菌感染", "大便有黏液脓血、发热明显时考虑，需要查大便常规，在医生指导下使用抗生素，如头孢克肟颗粒。"),
                    Item("喂养不当", "添加辅食过快、过多，或者食物不洁。"),
                    Item("乳糖不耐受", "腹泻后肠黏膜受损，乳糖酶暂时缺乏，大便酸臭、泡沫多。"),
                ),
                advice=("建议及时补液预防脱水，可以口服补液盐；如果尿量明显减少、精神差、哭时无泪，要马上就医。",),
            ),
        ),
    ),
    Question(
        90000502, "3207", (*CHILD, "小儿发热"), "孩子发烧39度反复怎么办", "2025-02-10 23:40",
        text="孩子四岁，发烧两天，吃了退烧药能退，过几个小时又烧到39度。",
        sex="女", age=4, onset="发病时间：2天", drugs=("ibuprofen",), recommended=("linxiaoyan",),
        answers=(
            Answer(
                "chenxiaodong", "2025-02-11 00:15",
                lead=("反复高热两天，常见原因有：",),
                style="1、", inline=True,
                items=(
                    Item("病毒感染", "如流感、幼儿急疹，一般持续三到五天，体温超过38.5度可以用退热药，如布洛芬混悬液、对乙酰氨基酚口服溶液。"),
                    Item("细菌感染", "化脓性扁桃体炎、中耳炎、肺炎等，需要查血常规判断。"),
                ),
                advice=("建议明天带孩子查血常规和C反应蛋白；如果精神差、抽搐、皮疹，立即就医。",),
            ),
        ),
    ),
    Question(
        90000503, "3207", (*CHILD, "多汗"), "小孩晚上睡觉出汗多正常吗", "2024-06-30 21:05",
        text="三岁男孩，每天晚上刚睡着头上全是汗，枕头都湿了。",
        sex="男", age=3,
        answers=(
            Answer(
                "chenxiaodong", "2024-06-30 22:10",
                kind="other",
                lead=("孩子睡觉出汗要分两种情况看：",),
                style="1、",
                items=(
                    Item("正常", "入睡后一两个小时内头部出汗，之后逐渐消退，属于生理性出汗，与孩子新陈代谢旺盛、盖得太厚有关。"),
                    Item("不正常", "整夜大汗，伴有夜惊、枕秃、食欲差、体重不增，要考虑佝偻病、结核等疾病。"),
                ),
                advice=("建议室温保持在24度左右，不要盖太厚；如有其他症状，到儿科查微量元素和维生素D。",),
            ),
        ),
    ),
    Question(
        90000504, "3207", ("儿科", "小儿耳鼻喉科", "过敏性鼻炎"), "儿童过敏性鼻炎怎么治疗", "2025-04-22 17:33",
        text="孩子九岁，一到春天就打喷嚏、流清鼻涕、揉鼻子。",
        sex="男", age=9, tags=("过敏性鼻炎",),
        disease="rhinitis", drugs=("loratadine", "fluticasone"), recommended=("linxiaoyan",),
        answers=(
            Answer(
                "wujing", "2025-04-22 19:00",
                kind="treatment",
                lead=("季节性发作的喷嚏、清涕、鼻痒，符合过敏性鼻炎，治疗包括：",),
                style="(1)", inline=True,
                items=(
                    Item("避免过敏原", "花粉季节减少外出，外出戴口罩，回家后清洗鼻腔。"),
                    Item("药物治疗", "鼻用激素是一线用药，可在医生指导下使用鼻喷剂，如丙酸氟替卡松鼻喷雾剂，配合口服抗组胺药。"),
                    Item("免疫治疗", "过敏原明确且症状重的孩子，可以考虑脱敏治疗，疗程三到五年。"),
                ),
                advice=("建议先做过敏原检测，明确过敏原后制定方案。",),
            ),
        ),
    ),
)  # fmt: skip

#: A question link the list shows, archived as a 302 to the site's bot challenge.
CHALLENGED = 90000901
#: A question link the list shows, archived as a "question removed" page.
REMOVED = 90000902
#: A question link the list shows that the archive does not hold (replay answers 404).
NOT_ARCHIVED = 90000903

# Where those three are listed.
EXTRA_LINKS = {
    "3150": ((CHALLENGED, "吃完饭就想睡觉是怎么回事"),),
    "3183": ((REMOVED, "脚气怎么根治"),),
    "3207": ((NOT_ARCHIVED, "宝宝湿疹擦什么药"),),
}
