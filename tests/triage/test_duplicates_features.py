"""The MinHash without datasketch, the stored text analysis that rescoring reads, and the lookup's queries."""

from io import StringIO

import pytest
from django.core.management import call_command

from gongdan.core import textanalysis
from gongdan.tickets.models import Ticket
from gongdan.triage.duplicates import analysis, dataset, feature_rows_for, find_candidates, lsh, pair_score, scoring
from gongdan.triage.models.duplicates import DuplicateFeatures
from tests import factories

AIRCON = ("空调不制冷", "空调开了制冷模式吹出来是热风，室外机不转，显示 E1。")
AIRCON_REWORDED = ("空调开了制冷还是吹热风", "空调不制冷，室外机不转，面板显示 E1。")

# Computed by datasketch 2.0 (MinHash(num_perm=40, seed=1), its default "affine32" scheme) before it
# was replaced: the band index built by earlier versions stays valid only while these hold.
DATASKETCH_BANDS = {
    "\n".join(AIRCON): [
        8273423412847979836, -5135534478386266503, 3525814075935355097, -1291428628863895526,
        -3477430055066277662, -687062963405133514, -2980534079771849800, -479468946780806115,
        -5000207189264817793, 5252488767055300670, -245810376202756346, -2385999895904472489,
        -4504174352072885837, -6228555716026877353, -6186879957445999555, 484012860175996301,
        -5624481578834634855, 6262459537052261936, -1449776805426943661, -6542968927426385714,
    ],
    "Printer jams on every page": [
        3226540148220021872, -7175627841394245463, 6363593245402260225, -321387952020949911,
        4259694333219017396, -5946540187264900214, 1826537189617325090, 8656869651327531116,
        1423667089073789202, 6144496139269167816, -809409079419192718, -3194926792090219365,
        -3002678519558719580, 8039586923841049751, -5012713381491110737, 5965810991087794470,
        6393645805627639393, 6336991307520323747, -3660467717593919159, 3843774227749269567,
    ],
    "a": [
        2002616419052619046, -6545679719613217507, 5749012176633940630, -3183959858041064420,
        -8054840780424440527, -4568022436103688599, -5290325451270265006, 3576701364109370188,
        -8752061577450068586, 4721321704318343317, -384508775192076720, -603465347377967201,
        4926902925016526934, 8299576851077922731, -3384216550699795568, -8134700337808299314,
        5764121619941147565, 1901820327396603178, 6159791101745690590, 7008741107471739662,
    ],
}  # fmt: skip


@pytest.mark.parametrize("text", sorted(DATASKETCH_BANDS))
def test_the_numpy_minhash_gives_datasketchs_band_hashes(text):
    assert [band_hash for _band, band_hash in lsh.band_hashes(text)] == DATASKETCH_BANDS[text]
    assert [band for band, _hash in lsh.band_hashes(text)] == list(range(20))


def test_the_numpy_minhash_gives_datasketchs_signature_and_permutations():
    assert lsh.signature("Printer jams on every page")[:8].tolist() == [
        64768986,
        99925592,
        80000391,
        101056101,
        204796086,
        426393240,
        561564861,
        8963593,
    ]
    a, b = lsh.permutations()
    assert a[:3].tolist() == [3582191691, 4270784983, 1892572953]
    assert b[:3].tolist() == [3439171725, 3075069929, 4158651785]
    assert lsh.signature("，。!") is None
    assert lsh.band_hashes("") == []


@pytest.mark.parametrize("text", ["", "a", "ab", "abc", "，。", "打印机 卡纸", "A-b_c d"])
def test_bigrams_from_the_compact_text_are_the_shingles_of_the_text(text):
    assert analysis.shingles_of(textanalysis.compact(text)) == frozenset(textanalysis.shingles(text))


def test_a_stored_analysis_gives_the_features_of_the_text_itself():
    training, held_out = dataset.generate(dataset.DEFAULT_SEED)
    texts = {pair.a.text for pair in training[:150]} | {pair.b.text for pair in held_out[:150]}
    texts |= {"联系 +86 138-0013-8000 或 13900001111", "Printer jams, call 13800138000"}
    for text in texts:
        (row,) = feature_rows_for(7, text)
        stored = analysis.stored(text, (row.text_hash, row.compact, row.words, row.phones))
        fresh = scoring.features(text)
        assert (stored.shingles, stored.words, stored.phones) == (fresh.shingles, fresh.words, fresh.phones)


def test_a_feature_row_holds_the_compact_text_words_and_phones():
    (row,) = feature_rows_for(7, "打印机卡纸，请回电 138 0013 8000\nPrinter jams")
    assert (row.ticket_id, row.compact, row.words, row.phones) == (
        7,
        "打印机卡纸请回电13800138000printerjams",
        "0013 138 8000 jams printer 卡纸 回电 打印机",
        "",
    )
    (row,) = feature_rows_for(7, "回电 13800138000")
    assert row.phones == "13800138000"
    assert row.text_hash == analysis.text_hash("回电 13800138000")


def test_creation_and_the_rebuild_command_store_the_analysis_of_the_text(customer):
    ticket = factories.ticket_for(customer, subject=AIRCON[0], description=AIRCON[1])
    expected = feature_rows_for(ticket.pk, scoring.ticket_text(*AIRCON))[0]
    fields = ("ticket_id", "text_hash", "compact", "words", "phones")
    stored = DuplicateFeatures.objects.filter(ticket=ticket).values_list(*fields).get()
    assert stored == tuple(getattr(expected, name) for name in fields)

    DuplicateFeatures.objects.all().delete()
    call_command("rebuild_duplicate_index", batch_size=1, stdout=StringIO())

    assert DuplicateFeatures.objects.filter(ticket=ticket).values_list(*fields).get() == stored


def test_rescoring_reads_the_stored_analysis_while_it_matches_the_ticket_text(customer, other_customer):
    original = factories.ticket_for(customer, subject=AIRCON[0], description=AIRCON[1])
    again = factories.ticket_for(other_customer, subject=AIRCON_REWORDED[0], description=AIRCON_REWORDED[1])
    assert pair_score(again, original).components["words"] == 0.6429

    # A stored row is what rescoring reads: changed words (same text hash) change the score…
    DuplicateFeatures.objects.filter(ticket=original).update(words="空调 制冷")
    assert pair_score(again, original).components["words"] == 0.1667
    found = {c.ticket_id: c for c in find_candidates(again)}
    assert found[original.pk].score.components["words"] == 0.1667

    # …but a row computed from another text is ignored: the ticket's own text is analysed again.
    Ticket.objects.filter(pk=original.pk).update(subject=AIRCON_REWORDED[0], description=AIRCON_REWORDED[1])
    original.refresh_from_db()
    assert pair_score(again, original).components["words"] == 1.0
    assert pair_score(again, original).components["text"] == 1.0


def test_a_ticket_without_a_stored_analysis_is_still_scored_from_its_text(customer):
    original = factories.ticket_for(customer, subject=AIRCON[0], description=AIRCON[1])
    DuplicateFeatures.objects.all().delete()

    found = {c.ticket_id: c for c in find_candidates("\n".join(AIRCON_REWORDED), customer=customer)}

    assert found[original.pk].score.components["text"] == 0.4412
    assert found[original.pk].score.components["words"] == 0.6429


def test_a_lookup_by_text_is_three_queries_once_the_configuration_is_cached(
    customer, other_customer, django_assert_max_num_queries
):
    factories.ticket_for(customer, subject=AIRCON[0], description=AIRCON[1])
    factories.ticket_for(other_customer, subject=AIRCON[0], description=AIRCON[1])
    find_candidates("\n".join(AIRCON_REWORDED), customer=customer)

    # The configuration generation, the candidates with their stored analyses, the customers' phones.
    with django_assert_max_num_queries(3):
        found = find_candidates("\n".join(AIRCON_REWORDED), customer=customer)
    assert len(found) == 2


def test_each_band_counts_only_its_newest_tickets_and_the_customers_own_still_join(
    monkeypatch, customer, other_customer
):
    from datetime import timedelta

    from gongdan.core import clock
    from gongdan.triage.duplicates import pool

    monkeypatch.setattr(pool, "BAND_BUCKET_CAP", 2)
    subject, description = "打印机卡纸", "三楼的打印机卡纸，取不出来，型号 HP-400"
    older = [factories.ticket_for(other_customer, subject=subject, description=description) for _ in range(3)]
    newer = [factories.ticket_for(other_customer, subject=subject, description=description) for _ in range(2)]
    hashes = [band_hash for _band, band_hash in analysis.band_hashes(scoring.ticket_text(subject, description))]
    since = clock.now() - timedelta(days=90)

    by_bands = pool.candidate_rows(pool.CandidatePool(hashes, since, None, None, "", 50))
    with_customer = pool.candidate_rows(pool.CandidatePool(hashes, since, None, other_customer.pk, "", 50))

    assert len(hashes) == 20
    assert [row.pk for row in by_bands] == [ticket.pk for ticket in newer]  # every band: the newest two
    assert [row.pk for row in with_customer] == [ticket.pk for ticket in [*older, *newer]]
