"""Merging keeps provenance (R5.3): what each original was, its attachments, similarity, who merged."""

import hashlib

import pytest
from django.utils import translation

from gongdan.core.context import Actor, Channel
from gongdan.core.errors import IllegalTransition, InvalidInput
from gongdan.tickets import rendering, services
from gongdan.tickets.constants import EventType, StatusKind
from gongdan.tickets.models import Ticket
from gongdan.triage.duplicates import pair_score
from gongdan.triage.models import MergeProvenance
from tests import factories
from tests.triage.merge_support import at, made_at

pytestmark = pytest.mark.django_db


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_merging_records_what_the_original_was(customer, agent_actor):
    master = made_at(at(2026, 11, 2, 9, 0), customer, "打印机卡纸")
    original = made_at(at(2026, 11, 2, 9, 40), customer, "三楼打印机卡纸了", device_sn="SN-778")
    services.change_status(actor=agent_actor, ticket=original, status="pending-customer")
    expected = pair_score(original, master)
    services.merge(actor=agent_actor, source=original, target=master, reason="同一台打印机")
    row = MergeProvenance.objects.get()
    assert (row.master, row.original, row.subject, row.channel) == (master, original, "三楼打印机卡纸了", "portal")
    assert (row.original_created_at, row.customer, row.previous_status.key) == (
        at(2026, 11, 2, 9, 40),
        customer,
        "pending-customer",
    )
    assert (row.probability, row.components) == (expected.probability, dict(expected.components))
    assert (row.merged_by, row.reason, row.undone_at) == (agent_actor.user, "同一台打印机", None)


def test_attachment_differences_list_what_the_master_lacks(customer, agent_actor):
    master = factories.ticket_for(customer, subject="打印机卡纸")
    original = factories.ticket_for(customer, subject="打印机又卡纸")
    shared, photo = b"%PDF-1.4 manual", b"\x89PNG photo of the jam"
    services.attach(actor=agent_actor, ticket=master, files=[services.Upload("manual.pdf", shared, "application/pdf")])
    services.attach(
        actor=agent_actor,
        ticket=original,
        files=[
            services.Upload("说明书.pdf", shared, "application/pdf"),
            services.Upload("jam.png", photo, "image/png"),
        ],
    )
    services.merge(actor=agent_actor, source=original, target=master)
    row = MergeProvenance.objects.get()
    assert row.attachments == [
        {"filename": "说明书.pdf", "size": len(shared), "sha256": sha(shared)},
        {"filename": "jam.png", "size": len(photo), "sha256": sha(photo)},
    ]
    assert row.missing_on_master == [{"filename": "jam.png", "size": len(photo), "sha256": sha(photo)}]


def test_merging_into_a_merged_ticket_follows_to_its_master(customer, agent_actor):
    top = factories.ticket_for(customer, subject="总工单")
    middle = factories.ticket_for(customer, subject="中间")
    late = factories.ticket_for(customer, subject="后来的")
    services.merge(actor=agent_actor, source=middle, target=top)
    returned = services.merge(actor=agent_actor, source=late, target=middle)
    late.refresh_from_db()
    assert (returned, late.merged_into, late.status.kind) == (top, top, StatusKind.MERGED)
    assert list(MergeProvenance.objects.filter(original=late).values_list("master__number", flat=True)) == [top.number]


def test_merging_back_into_ones_own_original_is_a_refused_cycle(customer, agent_actor):
    master = factories.ticket_for(customer, subject="主")
    original = factories.ticket_for(customer, subject="副")
    services.merge(actor=agent_actor, source=original, target=master)
    with pytest.raises(InvalidInput) as refused:
        services.merge(actor=agent_actor, source=master, target=original)
    assert refused.value.fields == {"target": "cycle"}
    master.refresh_from_db()
    assert (master.status.kind, master.merged_into_id, MergeProvenance.objects.count()) == ("new", None, 1)


def test_only_active_tickets_can_be_merged(customer, agent_actor):
    master = factories.ticket_for(customer, subject="主")
    resolved = factories.ticket_for(customer, subject="已解决")
    services.change_status(actor=agent_actor, ticket=resolved, status="resolved")
    with pytest.raises(IllegalTransition):
        services.merge(actor=agent_actor, source=resolved, target=master)
    resolved.refresh_from_db()
    assert (resolved.status.kind, resolved.merged_into_id, MergeProvenance.objects.count()) == ("resolved", None, 0)


def test_a_system_merge_records_no_person(customer):
    master = factories.ticket_for(customer, subject="主")
    original = factories.ticket_for(customer, subject="副")
    services.merge(actor=Actor.system(Channel.EMAIL), source=original, target=master, reason="intake")
    assert MergeProvenance.objects.get().merged_by is None


def test_the_customer_still_sees_the_merged_ticket_and_where_it_went(client, customer, agent_actor):
    master = factories.ticket_for(customer, subject="主工单")
    original = factories.ticket_for(customer, subject="重复提交的工单")
    services.merge(actor=agent_actor, source=original, target=master)
    client.force_login(customer.user)
    page = client.get(f"/portal/t/{original.number}/")
    assert page.status_code == 200
    assert f'id="merged-into">{master.number}<' in page.content.decode().replace("\n", "")
    api = client.get(f"/api/v1/tickets/{original.number}").json()
    assert (api["status"]["kind"], api["merged_into"]) == ("merged", master.number)


def test_the_master_timeline_names_the_original(customer, agent_actor):
    master = factories.ticket_for(customer, subject="主")
    original = factories.ticket_for(customer, subject="副")
    services.merge(actor=agent_actor, source=original, target=master)
    events = list(master.events.filter(event_type=EventType.MERGED))
    with translation.override("zh-hans"):
        assert [rendering.describe(e) for e in events] == [f"{original.number} 已并入本工单"]
    assert Ticket.objects.get(pk=original.pk).merged_into == master


def test_the_merge_api_answers_with_the_master_at_the_end_of_the_chain(client, agent, agent_actor, customer):
    top = factories.ticket_for(customer, subject="总工单")
    middle = factories.ticket_for(customer, subject="中间")
    late = factories.ticket_for(customer, subject="后来的")
    services.merge(actor=agent_actor, source=middle, target=top)
    client.force_login(agent)
    response = client.post(
        f"/api/v1/tickets/{late.number}/merge", {"target": middle.number}, content_type="application/json"
    )
    assert (response.status_code, response.json()["number"]) == (200, top.number)
