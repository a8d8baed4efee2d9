"""A labelled bilingual set of ticket pairs, generated with a fixed seed from the demo's request kinds.

Positives are two reports of one incident (one customer, device or phone): the second is reworded
(another phrasing, synonyms, reordered clauses, traditional characters, typos, chatter, or the
other language). Negatives are near-misses: another kind of the same group ("收不到验证码" vs
"密码错误"), hand-written pairs with the same words and another meaning ("打印机卡纸" vs
"打印机缺纸"), the same kind from another customer, and unrelated requests. Incidents, not pairs,
are split into training and held-out sets, so no text is on both sides.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

import zhconv

from gongdan.demo.catalogue import GROUPS, Kind
from gongdan.demo.kinds import KINDS
from gongdan.triage.duplicates import scoring
from gongdan.triage.duplicates.scoring import TicketFeatures

DEFAULT_SEED = 20261125
HELD_OUT_SHARE = 0.3
_EPOCH = datetime(2026, 1, 5, 9, 0)
_TOP_OF_GROUP = {group.code: group.parent for group in GROUPS}
_TOP_IDS = {top: number for number, top in enumerate(sorted(set(_TOP_OF_GROUP.values())), start=1)}

SYNONYMS_ZH = (
    ("无法", "不能"),
    ("收不到", "没收到"),
    ("一直", "总是"),
    ("打不开", "无法打开"),
    ("不制冷", "不凉"),
    ("退款", "退钱"),
    ("订单", "单子"),
    ("快递", "包裹"),
    ("已经", "都"),
    ("提示", "显示"),
    ("手机", "电话"),
    ("请帮忙", "麻烦"),
)
SYNONYMS_EN = (
    ("cannot", "can't"),
    ("does not", "doesn't"),
    ("receive", "get"),
    ("log in", "sign in"),
    ("login", "sign-in"),
    ("not working", "broken"),
    ("refund", "money back"),
    ("order", "purchase"),
    ("please", "pls"),
)
CHATTER_ZH = ("还是没解决，", "再问一下，", "急！", "之前提过了，", "你好，")
CHATTER_EN = ("Still not fixed: ", "Any update? ", "Urgent: ", "Following up: ", "Hi, ")

# The same words, another meaning (each side gets its own incident).
NEAR_MISSES = (
    (("打印机卡纸", "办公室打印机卡纸，打印到一半就停。"), ("打印机缺纸", "办公室打印机提示缺纸，加了纸还是提示。")),
    (
        ("Refund not received", "My refund for the order has not arrived."),
        ("Refund received twice", "The refund for the order arrived twice."),
    ),
    (("空调不制冷", "空调开了制冷模式不凉。"), ("空调不制热", "空调开了制热模式不热。")),
    (("无法登录账号", "登录时提示账号不存在。"), ("无法注册账号", "注册时提示账号已存在。")),
    (("发票开错了", "发票抬头开错了，需要重开。"), ("发票没收到", "发票一直没有收到，请补寄。")),
    (("快递没收到", "显示已签收但我没收到快递。"), ("快递收到了但破损", "快递收到了，但是外包装破损。")),
    (
        ("Charged twice", "I was charged twice for one order."),
        ("Charged but no order", "I was charged but no order was created."),
    ),
    (
        ("Password reset email not received", "The reset email never arrives."),
        ("Password reset link expired", "The reset email arrived but the link has expired."),
    ),
    (("洗衣机不排水", "洗衣机洗完不排水，桶里都是水。"), ("洗衣机不进水", "洗衣机开机后不进水，一直报警。")),
    (("App 闪退", "打开 App 就闪退。"), ("App 卡顿", "App 打开很慢，操作卡顿。")),
    (
        ("Printer out of toner", "The office printer says toner is empty."),
        ("Printer toner leaking", "The office printer leaks toner on the pages."),
    ),
    (("会员到期了", "会员已经到期，想续费。"), ("会员没到期就被停了", "会员还没到期，却提示已过期。")),
)


@dataclass(frozen=True)
class LabelledPair:
    a: TicketFeatures
    b: TicketFeatures
    label: int
    kind: str  # how the pair was made, for the evaluation's breakdown

    def components(self) -> dict[str, float]:
        return scoring.components(self.a, self.b)


class _Generator:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.next_customer = 1

    def customer(self) -> tuple[int, str]:
        """A customer id and their phone; a third of customers have no phone on record."""
        self.next_customer += 1
        phone = f"1{self.rng.choice('3589')}{self.rng.randrange(10**9):09d}" if self.rng.random() < 0.67 else ""
        return self.next_customer, phone

    def fill(self, text: str, values: dict[str, str]) -> str:
        return text.format(**values)

    def values(self) -> dict[str, str]:
        r = self.rng
        return {
            "sn": f"SN{r.randrange(10**8):08d}",
            "model": r.choice(("KFR-35GW", "XQG100", "HP M404", "EPSON L3150", "iPhone 15")),
            "location": r.choice(("3 楼财务室", "前台", "B 栋 2 层")),
            "store": r.choice(("徐汇店", "浦东店", "静安店")),
            "order": f"DD{r.randrange(10**10):010d}",
            "tail": f"{r.randrange(10**4):04d}",
            "code": r.choice(("E1", "F0", "H6", "E-SMS-429")),
        }

    def report(self, kind: Kind, language: str, values: dict[str, str]) -> str:
        phrasings = kind.zh if language == "zh" or not kind.en else kind.en
        subject, description = self.rng.choice(phrasings)
        return scoring.ticket_text(self.fill(subject, values), self.fill(description, values))

    def reword(self, kind: Kind, language: str, original: str, values: dict[str, str]) -> tuple[str, str]:
        r = self.rng
        how = r.choices(
            ("phrasing", "synonyms", "reorder", "traditional", "typos", "chatter", "language"),
            weights=(3, 3, 2, 2, 2, 2, 1),
        )[0]
        if how == "language":
            other = "en" if language == "zh" else "zh"
            return self.report(kind, other, values), how
        if how == "phrasing":
            return self.report(kind, language, values), how
        if how == "synonyms":
            text = original
            for old, new in SYNONYMS_ZH + SYNONYMS_EN:
                text = text.replace(old, new)
            return text, how
        if how == "reorder":
            lines = original.split("\n")
            return "\n".join(reversed(lines)), how
        if how == "traditional":
            return zhconv.convert(original, "zh-tw"), how
        if how == "typos":
            chars = list(original)
            for _ in range(max(1, len(chars) // 15)):
                i = r.randrange(len(chars) - 1)
                chars[i], chars[i + 1] = chars[i + 1], chars[i]
            return "".join(chars), how
        chatter = CHATTER_ZH if language == "zh" else CHATTER_EN
        return r.choice(chatter) + original, how

    def features(self, text: str, customer: tuple[int, str], *, sn: str, group: int | None, at: datetime):
        known_group = group if self.rng.random() < 0.7 else None
        return scoring.features(
            text,
            customer_id=customer[0],
            device_sn=sn,
            phones=[customer[1]] if customer[1] else [],
            category_group=known_group,
            created_at=at,
        )

    def at(self) -> datetime:
        return _EPOCH + timedelta(hours=self.rng.uniform(0, 24 * 60))

    def positive(self, kind: Kind) -> LabelledPair:
        r = self.rng
        language = "zh" if r.random() < 0.75 else "en"
        values = self.values()
        customer = self.customer()
        sn = values["sn"] if kind.device else ""
        first_text = self.report(kind, language, values)
        second_text, how = self.reword(kind, language, first_text, values)
        # Mostly the same customer again; sometimes a colleague on the same phone or device.
        who = r.choices(("customer", "phone", "device"), weights=(8, 1, 1 if sn else 0))[0]
        second_customer = customer if who == "customer" else (self.customer()[0], customer[1] if who == "phone" else "")
        group = _TOP_IDS[_TOP_OF_GROUP[kind.group]]
        first_at = self.at()
        second_at = first_at + timedelta(hours=min(r.expovariate(1 / 12), 96))
        a = self.features(first_text, customer, sn=sn, group=group, at=first_at)
        b = self.features(second_text, second_customer, sn=sn if who != "phone" else "", group=group, at=second_at)
        return LabelledPair(a, b, 1, f"reworded:{how}")

    def negative(self, kind: Kind, siblings: list[Kind]) -> LabelledPair:
        r = self.rng
        how = r.choices(("sibling", "same_kind", "unrelated", "recurrence"), weights=(4, 3, 2, 2))[0]
        other = {"sibling": r.choice(siblings) if siblings else r.choice(KINDS), "same_kind": kind}.get(how)
        other = other or (kind if how == "recurrence" else r.choice([k for k in KINDS if k.group != kind.group]))
        language = "zh" if r.random() < 0.75 else "en"
        customer = self.customer()
        # A recurrence is the customer's own problem back after the fix: R5.4 links it, it is no duplicate.
        same_customer = how == "recurrence" or (how != "same_kind" and r.random() < 0.5)
        second_customer = customer if same_customer else self.customer()
        first_values, second_values = self.values(), self.values()
        if same_customer:
            second_values["sn"] = first_values["sn"]  # the customer's one device of that kind
        first_at = self.at()
        if how == "recurrence":
            hours = r.uniform(5 * 24, 30 * 24)
        else:
            # Half of the near-misses come within two days: people report two problems in one go.
            hours = r.uniform(0, 48) if r.random() < 0.5 else r.uniform(0, 24 * 30)
        second_at = first_at + timedelta(hours=hours)
        a = self.features(
            self.report(kind, language, first_values),
            customer,
            sn=first_values["sn"] if kind.device else "",
            group=_TOP_IDS[_TOP_OF_GROUP[kind.group]],
            at=first_at,
        )
        b = self.features(
            self.report(other, language, second_values),
            second_customer,
            sn=second_values["sn"] if other.device else "",
            group=_TOP_IDS[_TOP_OF_GROUP[other.group]],
            at=second_at,
        )
        return LabelledPair(a, b, 0, f"near-miss:{how}")

    def handwritten(self, left: tuple[str, str], right: tuple[str, str]) -> LabelledPair:
        r = self.rng
        customer = self.customer()
        second_customer = customer if r.random() < 0.5 else self.customer()
        first_at = self.at()
        second_at = first_at + timedelta(hours=r.uniform(0, 48))
        a = self.features(scoring.ticket_text(*left), customer, sn="", group=1, at=first_at)
        b = self.features(scoring.ticket_text(*right), second_customer, sn="", group=1, at=second_at)
        return LabelledPair(a, b, 0, "near-miss:same-words")


def generate(
    seed: int = DEFAULT_SEED, *, incidents_per_kind: int = 12
) -> tuple[list[LabelledPair], list[LabelledPair]]:
    """(training, held-out) pairs: per kind and round one positive and two negatives, plus the
    hand-written near-misses each round; rounds are assigned wholly to one side."""
    generator = _Generator(seed)
    split = random.Random(seed + 1)
    training: list[LabelledPair] = []
    held_out: list[LabelledPair] = []
    for _round in range(incidents_per_kind):
        for kind in KINDS:
            siblings = [k for k in KINDS if k.group == kind.group and k.code != kind.code]
            side = held_out if split.random() < HELD_OUT_SHARE else training
            side.append(generator.positive(kind))
            side.append(generator.negative(kind, siblings))
            side.append(generator.negative(kind, siblings))
        for left, right in NEAR_MISSES:
            side = held_out if split.random() < HELD_OUT_SHARE else training
            side.append(generator.handwritten(left, right))
    return training, held_out


def training_pairs(seed: int | None = None) -> list[tuple[dict[str, float], int]]:
    training, _held_out = generate(DEFAULT_SEED if seed is None else seed)
    return [(pair.components(), pair.label) for pair in training]
