"""The workload generator: seeded, bilingual, ≥ 30 kinds, ~8% reworded duplicates, bursts, VIP share."""

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

from bench import workload as w

END = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)
SMALL = w.Size("test", 3000, 800, 30)


def _tickets(size=SMALL, **kwargs):
    return list(w.Generator(size, END, **kwargs).tickets())


def test_phone_numbers_are_mainland_mobiles_one_per_customer():
    assert w.phone_for(0) == "+8613000012345"
    assert w.phone_for(1) == "+8614000020264"
    phones = [w.phone_for(index) for index in range(20000)]
    assert len(set(phones)) == 20000
    assert all(len(phone) == 14 and phone.startswith("+861") for phone in phones)


def test_the_same_seed_gives_the_same_workload_and_another_seed_another():
    first, again = _tickets()[:50], _tickets()[:50]
    assert first == again
    other = list(w.Generator(SMALL, END, seed=1).tickets())[:50]
    assert [t.subject for t in other] != [t.subject for t in first]


def test_tickets_use_at_least_thirty_request_kinds_in_both_languages():
    tickets = _tickets()
    assert len({t.kind for t in tickets}) >= 30
    languages = Counter(t.language for t in tickets)
    assert set(languages) == {"zh-hans", "en"}
    assert 0.1 < languages["en"] / len(tickets) < 0.3


def test_about_eight_percent_are_reworded_duplicates_of_a_recent_ticket():
    tickets = _tickets()
    duplicates = [t for t in tickets if t.duplicate_of is not None]
    assert 0.06 < len(duplicates) / len(tickets) < 0.10
    for copy in duplicates:
        original = tickets[copy.duplicate_of]
        assert original.duplicate_of is None  # always points at the first telling
        assert (copy.kind, copy.customer, copy.device_sn) == (original.kind, original.customer, original.device_sn)
        assert original.created_at <= copy.created_at
    reworded = [
        t
        for t in duplicates
        if (t.subject, t.description) != (tickets[t.duplicate_of].subject, tickets[t.duplicate_of].description)
    ]
    assert len(reworded) / len(duplicates) > 0.8


def test_customers_have_tiers_with_a_small_vip_share_and_unique_serial_numbers():
    customers = w.customers(5000)
    tiers = Counter(c.tier for c in customers)
    assert 0.02 < tiers["vip"] / 5000 < 0.04
    assert tiers["standard"] > tiers["silver"] > tiers["gold"] > tiers["vip"]
    serials = [d.serial_number for c in customers for d in c.devices]
    assert len(serials) == len(set(serials))
    assert 0.55 < sum(1 for c in customers if c.devices) / 5000 < 0.65


def test_a_device_kind_ticket_names_a_device_the_customer_owns():
    generator = w.Generator(SMALL, END)
    for ticket in generator.tickets():
        if ticket.device_sn:
            owned = {d.serial_number for d in generator.customers[ticket.customer].devices}
            assert ticket.device_sn in owned


def test_arrivals_are_sorted_inside_the_window_and_include_bursts():
    arrivals = w.arrival_times(random.Random(3), 5000, END, 60)
    moments = [moment for moment, _ in arrivals]
    assert moments == sorted(moments)
    assert END - timedelta(days=60) <= moments[0] and moments[-1] < END
    bursts = Counter(burst for _, burst in arrivals if burst is not None)
    assert sum(bursts.values()) == int(5000 * w.BURST_SHARE)
    for burst in bursts:
        inside = [moment for moment, number in arrivals if number == burst]
        assert max(inside) - min(inside) <= timedelta(minutes=w.BURST_MINUTES)


def test_a_burst_is_one_kind_of_request_from_many_customers():
    size = w.Size("bursty", 2000, 600, 10)
    generator = w.Generator(size, END)
    arrivals = w.arrival_times(random.Random(f"{w.SEED}-tickets"), size.tickets, END, size.days)
    tickets = list(generator.tickets())
    burst = next(number for _, number in arrivals if number is not None)
    members = [
        t for t, (_, number) in zip(tickets, arrivals, strict=True) if number == burst and t.duplicate_of is None
    ]
    assert len({t.kind for t in members}) == 1
    assert len({t.customer for t in members}) > len(members) // 2


def test_the_fingerprint_names_size_seed_and_index_code():
    quick = w.SIZES["quick"]
    assert w.fingerprint(quick) == w.fingerprint(quick)
    assert w.fingerprint(quick) != w.fingerprint(w.SIZES["full"])
    assert w.fingerprint(quick) != w.fingerprint(quick, seed=2)
    assert w.fingerprint(quick) != w.fingerprint(quick, extra="lsh-v2")


def test_an_intake_message_is_the_documented_api_shape():
    generator = w.Generator(SMALL, END)
    spec = next(t for t in generator.tickets() if t.device_sn)
    customer = generator.customers[spec.customer]
    message = w.intake_message(spec, customer, "k-1")
    assert message == {
        "id": "k-1",
        "sender": {"email": customer.email, "phone": customer.phone, "name": customer.name},
        "subject": spec.subject,
        "body": spec.description,
        "language": spec.language,
        "device_sn": spec.device_sn,
    }
