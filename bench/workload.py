"""The benchmark workload: seeded, pure (values in, values out), no database.

Customers carry phones, e-mails, device serial numbers and tiers (a VIP share); tickets use the demo's
request kinds (`gongdan.demo.kinds`, 44 leaf categories with Chinese and English phrasings), arrive
over months with a working-day rhythm and incident bursts (one kind spiking across many customers),
and about 8% are reworded duplicates of a recent ticket (same kind and device, other words).
The same seed always yields the same workload, so a loaded database can be recognised by its
fingerprint and reused.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from gongdan.demo.catalogue import GROUPS_BY_CODE, Kind
from gongdan.demo.kinds import KINDS

# Bump when the generated data changes shape, so old bench databases are reloaded.
GENERATOR_VERSION = 3
SEED = 20261125
DUPLICATE_RATE = 0.08
BURST_SHARE = 0.05  # share of tickets that arrive in incident bursts
BURST_SIZE = 60
BURST_MINUTES = 90
RECENT_WINDOW = 300  # a duplicate repeats one of the last 300 tickets (about half a day at 100k)
VIP_SHARE = 0.03
TIERS = (("vip", VIP_SHARE), ("gold", 0.10), ("silver", 0.17), ("standard", 0.70))
ENGLISH_SHARE = 0.2
DEVICE_SHARE = 0.6  # customers with at least one registered device
# Local hours of the day, as in the demo's planner: quiet nights, busy mornings and afternoons.
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 1, 2, 4, 8, 12, 12, 10, 7, 9, 11, 11, 10, 8, 6, 5, 5, 4, 3, 2)
WEEKDAY_WEIGHTS = (10, 10, 10, 10, 9, 5, 4)
DEVICE_MODELS = {
    "printer": ("HP LaserJet Pro M404dn", "Brother HL-L2350DW", "Epson TM-T82III 小票打印机", "Canon PIXMA G3810"),
    "display": ("Dell P2422H 显示器", "AOC 27G2 显示器"),
    "network": ("华为 AR6120 企业路由器", "H3C MSR2600 路由器"),
    "pos": ("PAX A920 POS 终端", "新大陆 N910 POS 终端"),
    "scanner": ("Honeywell 1950g 扫码枪", "新大陆 NLS-HR32 扫码枪"),
    "aircon": ("格力 KFR-26GW 空调", "美的 KFR-35GW 空调", "海尔 KFR-50LW 柜机"),
    "washer": ("海尔 EG100 滚筒洗衣机", "小天鹅 TG100 洗衣机"),
    "fridge": ("美的 BCD-516 冰箱", "海尔 BCD-470 冰箱"),
    "line": ("SMT 贴片线 A3 控制柜", "光伏层压线 L2 控制柜"),
    "server": ("Dell PowerEdge R750 MES 服务器",),
}
CITIES = (
    "上海市浦东新区",
    "北京市朝阳区",
    "广州市天河区",
    "深圳市南山区",
    "杭州市西湖区",
    "成都市高新区",
    "苏州市工业园区",
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国玉兰志强晓东海燕春梅"
ENGLISH_FIRST = ("Alice", "Ben", "Chloe", "David", "Emma", "Frank", "Grace", "Henry", "Ivy", "Jack", "Karen", "Leo")
ENGLISH_LAST = ("Smith", "Brown", "Taylor", "Wilson", "Evans", "Walker", "Wright", "Green", "Hall", "Wood")
ZH_REWORDS = (
    ("", "再次反馈：", "又出现了，"),
    ("", "麻烦尽快处理。", "急，在线等。", "之前提交过一次，还没人回复。", "请帮忙看一下。"),
)
# Free-text details people add, so tickets of one kind are not verbatim copies of a few phrasings.
ZH_DETAILS = (
    "今天上午{h}点左右开始的。",
    "已经试了{n}次了。",
    "影响我们部门{n}个人。",
    "重启过也没用。",
    "用的是公司内网。",
    "昨天还是好的。",
    "换了电脑也一样。",
    "客户在现场等着。",
    "截图已经发到群里了。",
    "下午{h}点前要用。",
    "上周也出现过一次。",
    "订单量大的时候更明显。",
    "手机和电脑都试过。",
    "同事那边是正常的。",
    "工号 {n}{h}{n}。",
)
EN_DETAILS = (
    "It started around {h} o'clock today.",
    "I tried {n} times already.",
    "{n} people in my team are affected.",
    "Restarting did not help.",
    "It worked fine yesterday.",
    "Same on another computer.",
    "A customer is waiting at the counter.",
    "It also happened last week.",
    "My colleague's account works.",
    "Need it before {h} pm.",
)
EN_REWORDS = (
    ("", "Again: ", "Follow-up: ", "Still happening - "),
    ("", " Please help asap.", " I reported this before, no answer yet.", " Any update?"),
)


@dataclass(frozen=True)
class DeviceSpec:
    serial_number: str
    kind: str
    model: str
    location: str


@dataclass(frozen=True)
class CustomerSpec:
    index: int
    name: str
    language: str
    tier: str
    email: str
    phone: str
    devices: tuple[DeviceSpec, ...]


@dataclass(frozen=True)
class TicketSpec:
    index: int
    kind: str
    group: str
    customer: int
    language: str
    subject: str
    description: str
    priority: str
    ticket_type: str
    device_sn: str
    fault_code: str
    created_at: datetime
    duplicate_of: int | None = None


@dataclass(frozen=True)
class Size:
    name: str
    tickets: int
    customers: int
    days: int


SIZES = {
    "tiny": Size("tiny", 600, 150, 30),
    "quick": Size("quick", 100_000, 20_000, 180),
    "full": Size("full", 1_000_000, 200_000, 365),
}


def fingerprint(size: Size, seed: int = SEED, extra: str = "") -> str:
    """Names a loaded database: the same generator, seed, size (and index code, `extra`) give the same data."""
    text = f"gongdan-bench v{GENERATOR_VERSION} seed={seed} {size.name} {size.tickets} {size.customers} {size.days}"
    text += extra
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def phone_for(index: int) -> str:
    # 7919 is prime to 10⁹, so the multiplication is a bijection: every customer gets their own number.
    return f"+861{3 + index % 7}{(index * 7919 + 12345) % 10**9:09d}"


def _weighted(rng: random.Random, pairs) -> str:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


def _name(rng: random.Random, english: bool) -> str:
    if english:
        return f"{rng.choice(ENGLISH_FIRST)} {rng.choice(ENGLISH_LAST)}"
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _devices(rng: random.Random, index: int) -> tuple[DeviceSpec, ...]:
    if rng.random() >= DEVICE_SHARE:
        return ()
    kinds = rng.sample(sorted(DEVICE_MODELS), rng.choice((1, 1, 1, 2)))
    return tuple(
        DeviceSpec(
            serial_number=f"SN{kind[:2].upper()}{index:07d}{n}",
            kind=kind,
            model=rng.choice(DEVICE_MODELS[kind]),
            location=f"{rng.choice(CITIES)}{rng.randrange(1, 999)}号",
        )
        for n, kind in enumerate(kinds)
    )


def customers(count: int, seed: int = SEED) -> list[CustomerSpec]:
    rng = random.Random(f"{seed}-customers")
    result = []
    for index in range(count):
        english = rng.random() < ENGLISH_SHARE
        result.append(
            CustomerSpec(
                index=index,
                name=_name(rng, english),
                language="en" if english else "zh-hans",
                tier=_weighted(rng, TIERS),
                email=f"c{index:07d}@{'example.com' if english else 'example.cn'}",
                phone=phone_for(index),
                devices=_devices(rng, index),
            )
        )
    return result


def arrival_times(rng: random.Random, count: int, end: datetime, days: int) -> list[tuple[datetime, int | None]]:
    """Sorted (arrival, burst number or None) over `days` before `end`: weekday and hour rhythm, plus bursts."""
    start = end - timedelta(days=days)
    day_weights = [WEEKDAY_WEIGHTS[(start + timedelta(days=d)).weekday()] for d in range(days)]
    in_bursts = int(count * BURST_SHARE)
    arrivals: list[tuple[datetime, int | None]] = []
    for day, hour in zip(
        rng.choices(range(days), day_weights, k=count - in_bursts),
        rng.choices(range(24), HOUR_WEIGHTS, k=count - in_bursts),
        strict=True,
    ):
        arrivals.append((start + timedelta(days=day, hours=hour, seconds=rng.randrange(3600)), None))
    burst = 0
    while len(arrivals) < count:
        burst_at = start + timedelta(seconds=rng.randrange(days * 86400))
        for _ in range(min(BURST_SIZE, count - len(arrivals))):
            arrivals.append((burst_at + timedelta(seconds=rng.randrange(BURST_MINUTES * 60)), burst))
        burst += 1
    arrivals.sort(key=lambda item: (item[0], -1 if item[1] is None else item[1]))
    # A burst late in the window could end after `end`: keep every arrival in the past.
    last = end - timedelta(seconds=1)
    return [(min(moment, last), number) for moment, number in arrivals]


class Generator:
    """Yields TicketSpecs in arrival order; `tickets()` is lazy so a million never sit in memory."""

    def __init__(self, size: Size, end: datetime, seed: int = SEED, *, stream: str = "tickets", skewed: bool = True):
        # `stream` names an independent sequence of tickets over the same customers (the live intake
        # stream of the HTTP scenario); `skewed` makes a few customers write often, as real ones do.
        self.size, self.end, self.seed, self.stream, self.skewed = size, end, seed, stream, skewed
        self.customers = customers(size.customers, seed)
        self.kinds = list(KINDS)
        self.kind_weights = [kind.weight for kind in self.kinds]
        self.owners: dict[str, list[int]] = {}
        for spec in self.customers:
            for device in spec.devices:
                self.owners.setdefault(device.kind, []).append(spec.index)

    def tickets(self) -> Iterator[TicketSpec]:
        rng = random.Random(f"{self.seed}-{self.stream}")
        recent: list[TicketSpec] = []
        burst_kinds: dict[int, Kind] = {}
        for index, (created_at, burst) in enumerate(arrival_times(rng, self.size.tickets, self.end, self.size.days)):
            if recent and rng.random() < DUPLICATE_RATE:
                spec = self._duplicate(rng, index, created_at, rng.choice(recent))
            else:
                if burst is None:
                    kind = rng.choices(self.kinds, self.kind_weights)[0]
                else:  # an incident: one kind from many customers at once
                    kind = burst_kinds.setdefault(burst, rng.choices(self.kinds, self.kind_weights)[0])
                spec = self._original(rng, index, created_at, kind)
            recent.append(spec)
            if len(recent) > RECENT_WINDOW:
                recent.pop(0)
            yield spec

    def _customer_for(self, rng: random.Random, kind: Kind) -> CustomerSpec:
        if kind.device and self.owners.get(kind.device):
            return self.customers[rng.choice(self.owners[kind.device])]
        # A few customers write often: a skewed pick (the square favours low indexes).
        return self.customers[int(rng.random() ** (2 if self.skewed else 1) * len(self.customers))]

    def _original(self, rng: random.Random, index: int, created_at: datetime, kind: Kind) -> TicketSpec:
        customer = self._customer_for(rng, kind)
        device = next((d for d in customer.devices if d.kind == kind.device), None)
        phrasings = kind.zh if customer.language == "zh-hans" else kind.en
        subject, description = rng.choice(phrasings)
        values = _placeholders(rng, kind, customer, device)
        description = description.format_map(values) + _details(rng, customer.language)
        return TicketSpec(
            index=index,
            kind=kind.code,
            group=kind.group,
            customer=customer.index,
            language=customer.language,
            subject=subject.format_map(values)[:200],
            description=description,
            priority=_weighted(rng, kind.priorities.items()),
            ticket_type=kind.ticket_type,
            device_sn=device.serial_number if device else "",
            fault_code=values["code"] if kind.faults else "",
            created_at=created_at,
        )

    def _duplicate(self, rng: random.Random, index: int, created_at: datetime, original: TicketSpec) -> TicketSpec:
        """The same problem told again: same customer (or a colleague), same device, other words."""
        kind = next(k for k in self.kinds if k.code == original.kind)
        customer = self.customers[original.customer]
        phrasings = kind.zh if original.language == "zh-hans" else kind.en
        subject, description = rng.choice(phrasings)
        device = next((d for d in customer.devices if d.serial_number == original.device_sn), None)
        values = _placeholders(rng, kind, customer, device)
        subject, description = reword(
            rng, subject.format_map(values), description.format_map(values), original.language
        )
        return TicketSpec(
            index=index,
            kind=original.kind,
            group=original.group,
            customer=original.customer,
            language=original.language,
            subject=subject[:200],
            description=description,
            priority=original.priority,
            ticket_type=original.ticket_type,
            device_sn=original.device_sn,
            fault_code=original.fault_code,
            created_at=created_at,
            duplicate_of=original.duplicate_of if original.duplicate_of is not None else original.index,
        )


def _placeholders(rng: random.Random, kind: Kind, customer: CustomerSpec, device: DeviceSpec | None) -> dict:
    zh = customer.language == "zh-hans"
    store = f"SH-{customer.index % 9000 + 1000}"
    return {
        "sn": device.serial_number if device else "",
        "model": device.model if device else "",
        "location": device.location if device else "",
        "store": f"门店 {store}" if zh else f"store {store}",
        "order": f"DD2026{rng.randrange(10**8):08d}",
        "tail": customer.phone[-4:],
        "code": rng.choice(kind.faults) if kind.faults else "E-UNKNOWN",
    }


def _details(rng: random.Random, language: str) -> str:
    """Zero to two details in the customer's language (a time, a count, what they tried)."""
    pool = ZH_DETAILS if language == "zh-hans" else EN_DETAILS
    parts = rng.sample(pool, rng.choice((0, 1, 1, 2)))
    text = "".join(part.format(h=rng.randrange(8, 19), n=rng.randrange(2, 9)) for part in parts)
    return text if language == "zh-hans" or not text else " " + text.replace(".", ". ").strip()


def reword(rng: random.Random, subject: str, description: str, language: str) -> tuple[str, str]:
    """Another way of telling the same thing: a lead-in, a plea, sometimes the sentences swapped."""
    leads, pleas = ZH_REWORDS if language == "zh-hans" else EN_REWORDS
    parts = [part for part in description.replace("。", "。\n").split("\n") if part.strip()]
    if len(parts) > 1 and rng.random() < 0.5:
        parts.reverse()
    return rng.choice(leads) + subject, "".join(parts) + rng.choice(pleas)


def team_of(kind_group: str) -> str:
    return GROUPS_BY_CODE[kind_group].team


def intake_message(spec: TicketSpec, customer: CustomerSpec, key: str) -> dict:
    """The JSON of `POST /api/v1/intake/messages` for one generated ticket (docs/channels.md)."""
    message = {
        "id": key,
        "sender": {"email": customer.email, "phone": customer.phone, "name": customer.name},
        "subject": spec.subject,
        "body": spec.description,
        "language": spec.language,
    }
    if spec.device_sn:
        message["device_sn"] = spec.device_sn
    return message
