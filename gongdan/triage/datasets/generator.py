"""A labelled bilingual set built from the demo's request kinds (gongdan/demo/kinds*.py): every
phrasing of every kind, reworded (openings, closings, synonyms, mixed subject/description pairs,
filled placeholders) with a fixed seed, labelled with the kind's leaf category code."""

from __future__ import annotations

import random
from dataclasses import dataclass

from gongdan.demo.kinds import KINDS

SEED = 2026
OPENINGS = {
    "zh": ["", "您好，", "你好，", "紧急：", "麻烦帮忙看一下，", "【客户反馈】", "急！"],
    "en": ["", "Hi, ", "Hello team, ", "Urgent: ", "Could you look at this: ", "FYI - "],
}
CLOSINGS = {
    "zh": ["", "谢谢！", "麻烦尽快处理。", "在线等，挺急的。", "请回电。", "辛苦了。"],
    "en": ["", " Thanks.", " Please help asap.", " Waiting for your reply.", " Call me back please.", " Regards."],
}
SYNONYMS = {
    "zh": [
        ("无法", "不能"),
        ("一直", "总是"),
        ("提示", "显示"),
        ("请帮忙", "麻烦"),
        ("收不到", "没收到"),
        ("没有", "没"),
    ],
    "en": [
        ("can't", "cannot"),
        ("doesn't", "does not"),
        ("keeps", "continues to"),
        ("please", "kindly"),
        ("I ", "we "),
    ],
}
PLACEHOLDERS = {
    "sn": lambda r: f"SN{r.randrange(10**7):07d}",
    "model": lambda r: r.choice(["HP M428", "Brother 2260", "美的 KFR-35", "Lenovo T14", "海尔 BCD-470"]),
    "location": lambda r: r.choice(["3F 财务部", "B1 仓库", "前台", "Floor 2 east"]),
    "store": lambda r: f"门店 SH-{r.randrange(1000):04d}",
    "order": lambda r: f"DD2026{r.randrange(10**8):08d}",
    "tail": lambda r: f"{r.randrange(10**4):04d}",
    "code": lambda r: f"E-{r.randrange(100, 999)}",
}


@dataclass(frozen=True)
class LabelledText:
    text: str
    category: str
    language: str
    phrasing: int  # index of the kind's phrasing in that language
    held_out: bool  # the kind's last phrasing in a language that has several (for the unseen-wording split)


def _reword(text: str, language: str, rng: random.Random) -> str:
    for old, new in SYNONYMS[language]:
        if old in text and rng.random() < 0.5:
            text = text.replace(old, new)
    return text


def _fill(text: str, rng: random.Random) -> str:
    return text.format_map({key: make(rng) for key, make in PLACEHOLDERS.items()})


def generate(*, seed: int = SEED, per_phrasing: int = 8) -> list[LabelledText]:
    rng = random.Random(seed)
    samples = []
    for kind in KINDS:
        for language, phrasings in (("zh", kind.zh), ("en", kind.en)):
            for index, (subject, description) in enumerate(phrasings):
                held_out = len(phrasings) > 1 and index == len(phrasings) - 1
                for _ in range(per_phrasing):
                    body = description if rng.random() < 0.8 else rng.choice(phrasings)[1]
                    text = (
                        f"{rng.choice(OPENINGS[language])}{_fill(subject, rng)}\n"
                        f"{_reword(_fill(body, rng), language, rng)}{rng.choice(CLOSINGS[language])}"
                    )
                    samples.append(LabelledText(text, kind.code, language, index, held_out))
    return samples
