"""Export speed with duplicate detection, beside baselines measured in the same run.

    .venv/bin/python -m bench.export [--records 100000] [--rounds 1] [--profile]

Generates a run folder of `--records` Chinese Q&A-like answers (questions with age, sex and
symptoms, some with a phone number or a stated name; answers of 3–7 sentences with diseases,
drugs, doses, checks and advice), with planted duplicates: `--exact` of the answers repeat an
earlier one (spacing or full-width digits changed) and `--near` repeat one with punctuation
changed or one sentence of five or more rewritten. Then, `--rounds` times in interleaved order
(so a busy machine slows each alike), best round each:

- **JSONL read+write** — read questions and answers, write one record per answer: the floor.
- **export, dedupe off** — `medcrawl export --format pairs --dedupe off` (joins, de-identifies,
  filters, writes).
- **export, dedupe on** — the same with exact + MinHash near-duplicate detection (default).

Prints answers/s for each, the ratios, and the duplicates found against those planted.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import random
import tempfile
import time
from pathlib import Path

from medcrawl.corpus.export import Options, Report, export

# fmt: off
SYMPTOMS = (
    "头痛", "咳嗽", "发烧", "胸闷", "腹痛", "失眠", "头晕", "恶心", "腰痛", "皮疹", "乏力", "心慌",
    "反酸", "便秘", "腹泻", "耳鸣", "关节痛", "咽痛", "鼻塞", "尿频", "胃胀", "口腔溃疡",
    "手脚发麻", "视力模糊",
)
DISEASES = (
    "感冒", "胃炎", "高血压", "糖尿病", "支气管炎", "偏头痛", "颈椎病", "湿疹", "咽炎", "鼻炎",
    "焦虑症", "贫血", "肾结石", "甲状腺结节", "腰椎间盘突出", "肠易激综合征", "过敏性鼻炎",
    "冠心病", "痛风", "荨麻疹", "结膜炎", "胆囊炎", "前列腺炎", "骨质疏松",
)
DRUGS = (
    "布洛芬缓释胶囊", "阿莫西林胶囊", "奥美拉唑肠溶片", "氯雷他定片", "二甲双胍", "硝苯地平控释片",
    "甲钴胺", "维生素B1", "蒙脱石散", "头孢克肟分散片", "复方甘草片", "谷维素", "阿司匹林肠溶片",
    "氨氯地平", "碳酸钙D3片", "铝碳酸镁咀嚼片", "益生菌", "孟鲁司特钠",
)
CHECKS = (
    "血常规", "尿常规", "肝功能", "肾功能", "胸部CT", "腹部B超", "心电图", "胃镜", "肠镜",
    "甲状腺功能", "血糖", "血脂", "颈椎核磁共振", "过敏原检测", "幽门螺杆菌呼气试验",
)
CAUSES = (
    "受凉", "劳累", "饮食不规律", "精神压力大", "睡眠不足", "细菌感染", "病毒感染", "过敏", "久坐",
    "缺乏运动", "吸烟饮酒", "激素水平变化", "免疫力下降", "遗传因素",
)
HABITS = (
    "规律作息", "适当运动", "多喝温水", "保持心情舒畅", "注意保暖", "控制体重", "戒烟限酒",
    "劳逸结合", "早睡早起",
)
FOODS = ("辛辣刺激", "油腻", "生冷", "过甜", "腌制", "海鲜", "浓茶咖啡", "烧烤油炸")
DIETS = ("清淡易消化", "少量多餐", "高蛋白", "富含维生素", "低盐低脂", "粗细搭配")
# fmt: on
DEPARTMENTS = [
    ["内科", "消化内科"],
    ["内科", "呼吸内科"],
    ["内科", "心血管内科"],
    ["内科", "神经内科"],
    ["外科", "骨科"],
    ["皮肤性病科", "皮肤科"],
    ["儿科", "小儿内科"],
    ["五官科", "耳鼻喉科"],
]
SENTENCES = [
    "{disease}可能与{cause}、{cause2}有关，建议到医院做{check}明确诊断。",
    "可以在医生指导下使用{drug}，每次{dose}，每日{times}次，连用{days}天。",
    "平时注意{habit}，{habit2}，避免{food}食物。",
    "如果{symptom}持续超过{days}天或者出现{symptom2}，要及时就医。",
    "{symptom}常见的原因有{cause}、{cause2}等，需要结合{check}结果判断。",
    "目前的情况考虑{disease}的可能性大，一般预后良好，不必过于担心。",
    "建议{weeks}周后复查{check}和{check2}，观察指标的变化。",
    "饮食上宜{diet}，少吃{food}的东西，每天饮水{water}毫升左右。",
    "你的{check}结果显示{index}为{value}，略高于正常范围，需要进一步检查。",
    "{drug}和{drug2}不建议同时服用，间隔{hours}小时以上比较安全。",
]
QUESTION = "{age}岁{sex}，{symptom}{duration}了，{detail}，请问是{disease}吗？需要做什么检查？"
DETAILS = [
    "伴有{symptom2}",
    "晚上比较明显",
    "吃了{drug}效果不明显",
    "之前查过{check}没有异常",
    "有{disease}病史{years}年",
    "血压{bp}，心率{hr}次/分",
]


def _fill(template: str, rng: random.Random) -> str:
    pick = rng.choice
    return template.format(
        years=rng.randint(1, 20),
        bp=f"{rng.randint(110, 170)}/{rng.randint(70, 105)}",
        hr=rng.randint(60, 110),
        disease=pick(DISEASES),
        cause=pick(CAUSES),
        cause2=pick(CAUSES),
        check=pick(CHECKS),
        check2=pick(CHECKS),
        drug=pick(DRUGS),
        drug2=pick(DRUGS),
        dose=f"{pick(['0.1', '0.25', '0.3', '0.5', '1', '2'])}{pick(['g', 'mg', '片', '粒'])}",
        times=rng.randint(1, 3),
        days=rng.randint(3, 14),
        weeks=rng.randint(1, 8),
        hours=rng.randint(1, 4),
        habit=pick(HABITS),
        habit2=pick(HABITS),
        food=pick(FOODS),
        diet=pick(DIETS),
        water=rng.choice([1500, 2000, 2500]),
        symptom=pick(SYMPTOMS),
        symptom2=pick(SYMPTOMS),
        index=pick(["白细胞", "血糖", "转氨酶", "尿酸", "肌酐", "甘油三酯"]),
        value=f"{rng.uniform(1, 200):.1f}",
    )


def _answer(rng: random.Random) -> str:
    sentences = [_fill(t, rng) for t in rng.sample(SENTENCES, rng.randint(3, 7))]
    return "你好，" + "".join(sentences)


def _question(rng: random.Random) -> str:
    detail = _fill(rng.choice(DETAILS), rng)
    text = QUESTION.format(
        age=rng.randint(1, 85),
        sex=rng.choice("男女"),
        symptom=rng.choice(SYMPTOMS),
        duration=rng.choice(["三天", "一周", "半个月", "两个月", "半年"]),
        detail=detail,
        disease=rng.choice(DISEASES),
    )
    roll = rng.random()
    if roll < 0.02:
        text += f"我的电话是1{rng.randint(3, 9)}{rng.randint(100000000, 999999999)}。"
    elif roll < 0.03:
        text = f"我叫{rng.choice('王李张刘陈杨')}{rng.choice('明芳伟娜强')}，" + text
    return text


def _near(text: str, rng: random.Random) -> str:
    sentences = text.split("。")
    if len(sentences) >= 6 and rng.random() < 0.5:  # five or more sentences: rewrite one
        n = rng.randrange(1, len(sentences) - 1)
        sentences[n] = _fill(rng.choice(SENTENCES), rng).rstrip("。")
        return "。".join(sentences)
    return text.replace("，", ",").replace("。", "！").replace("、", " ")


def generate(folder: Path, records: int, exact: float, near: float, seed: int) -> dict[str, int]:
    """A run folder of `records` answers (one per question); returns what was planted."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    planted = {"exact": 0, "near": 0}
    answers: list[str] = []
    doctor = {"id": "bench:doctor:1", "title": "主治医师", "title_rank": "attending"}
    with (
        (folder / "questions.jsonl").open("w", encoding="utf-8") as questions,
        (folder / "answers.jsonl").open("w", encoding="utf-8") as out,
    ):
        for n in range(records):
            roll = rng.random()
            if answers and roll < exact:
                text = rng.choice(answers).replace("，", "， ", 1)  # spacing only: exact
                planted["exact"] += 1
            elif answers and roll < exact + near:
                text = _near(rng.choice(answers), rng)
                planted["near"] += 1
            else:
                text = _answer(rng)
                answers.append(text)
            qid = f"bench:{n}"
            question = {
                "id": qid,
                "url": f"https://ask.39.net/question/{n}.html",
                "title": "",
                "question": _question(rng),
                "category_path": rng.choice(DEPARTMENTS),
                "crawled_at": "2026-11-20T08:00:00+00:00",
            }
            answer = {
                "id": f"{qid}/a1",
                "question_id": qid,
                "doctor_id": doctor["id"],
                "text": text,
                "follow_ups": [],
                "answered_at": "2026-11-19T10:00:00+08:00",
            }
            question["title"] = question["question"][:20]
            questions.write(json.dumps(question, ensure_ascii=False) + "\n")
            out.write(json.dumps(answer, ensure_ascii=False) + "\n")
    (folder / "doctors.jsonl").write_text(json.dumps(doctor, ensure_ascii=False) + "\n")
    return planted


def plain_jsonl(run: Path, out: Path) -> int:
    """The floor: read questions and answers, write one joined record per answer."""
    with (run / "questions.jsonl").open(encoding="utf-8") as stream:
        questions = {q["id"]: q for q in map(json.loads, stream)}
    written = 0
    with (
        (run / "answers.jsonl").open(encoding="utf-8") as stream,
        out.open("w", encoding="utf-8") as sink,
    ):
        for answer in map(json.loads, stream):
            question = questions[answer["question_id"]]
            record = {
                "id": answer["id"],
                "question": question["question"],
                "answer": answer["text"],
            }
            sink.write(json.dumps(record, ensure_ascii=False) + "\n")
            written += 1
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--exact", type=float, default=0.05, help="share of exact duplicates")
    parser.add_argument("--near", type=float, default=0.05, help="share of near duplicates")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--seed", type=int, default=39)
    parser.add_argument("--profile", action="store_true", help="cProfile the dedupe-on export")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        run, corpus = Path(tmp) / "run", Path(tmp) / "corpus"
        started = time.perf_counter()
        planted = generate(run, args.records, args.exact, args.near, args.seed)
        print(
            f"generated {args.records:,} answers in {time.perf_counter() - started:.1f}s "
            f"(planted {planted['exact']:,} exact, {planted['near']:,} near duplicates)"
        )

        def timed_export(dedupe: str) -> Report:
            options = Options(format="pairs", dedupe=dedupe, progress=False, card=False)
            return export([run], corpus / f"{dedupe}.jsonl", options)

        methods = {
            "JSONL read+write": lambda: plain_jsonl(run, corpus / "plain.jsonl"),
            "export, dedupe off": lambda: timed_export("off"),
            "export, dedupe on": lambda: timed_export("drop"),
        }
        corpus.mkdir()
        best = dict.fromkeys(methods, float("inf"))
        report = None
        for _ in range(args.rounds):
            for name, method in methods.items():
                started = time.perf_counter()
                result = method()
                best[name] = min(best[name], time.perf_counter() - started)
                if name == "export, dedupe on":
                    report = result
        for name, seconds in best.items():
            print(f"{name:<20} {args.records / seconds:>10,.0f} answers/s  ({seconds:.2f}s)")
        on, off, floor = (
            best["export, dedupe on"],
            best["export, dedupe off"],
            best["JSONL read+write"],
        )
        print(f"dedupe on vs off: {on / off:.2f}× the time; vs JSONL read+write: {on / floor:.1f}×")
        assert report is not None
        print(
            f"found {report.exact_duplicates:,} exact and {report.near_duplicates:,} near "
            f"duplicates (planted {planted['exact']:,} and {planted['near']:,}); "
            f"wrote {report.written:,}"
        )
        if args.profile:
            profile = cProfile.Profile()
            profile.runcall(timed_export, "drop")
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
