"""The merge pages and API: queue, nav count, ticket panel, confirm/reject, provenance, un-merge."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongdan.tickets.constants import StatusKind
from gongdan.tickets.models import Ticket
from gongdan.triage.models import MergeProposal, MergeProvenance
from gongdan.triage.models.merging import ProposalState
from tests.triage.merge_support import at, hardware_tree, made_at

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def pair(customer):
    _, printer, _, _ = hardware_tree()
    older = made_at(at(2026, 11, 2, 9, 0), customer, "打印机卡纸", category=printer)
    newer = made_at(at(2026, 11, 2, 10, 0), customer, "三楼打印机又卡纸了", category=printer)
    return older, newer, MergeProposal.objects.get()


def test_the_queue_lists_pending_proposals_with_a_constant_number_of_queries(client, agent, customer, pair):
    older, newer, proposal = pair
    client.force_login(agent)
    with CaptureQueriesContext(connection) as one:
        page = client.get("/desk/triage/merges/")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('class="card mb-2 merge-proposal"') == 1
    assert f'data-proposal="{proposal.pk}"' in html and newer.number in html and older.number in html
    _, printer, _, _ = hardware_tree()
    made_at(at(2026, 11, 2, 11, 0), customer, "打印机卡纸 第三次", category=printer)
    with CaptureQueriesContext(connection) as three:
        client.get("/desk/triage/merges/")
    assert len(three.captured_queries) == len(one.captured_queries)
    assert client.get("/desk/triage/merges/count/").content.decode().count(">3</span>") == 1


def test_department_staff_and_customers_get_404(client, purchasing, customer, pair):
    for user in (purchasing, customer.user):
        client.force_login(user)
        assert client.get("/desk/triage/merges/").status_code == 404


def test_confirming_in_the_queue_merges_and_opens_the_provenance_page(client, agent, pair):
    older, newer, proposal = pair
    client.force_login(agent)
    response = client.post(f"/desk/triage/merges/{proposal.pk}/confirm/", {"reason": ""})
    assert response.status_code == 302
    assert response["Location"] == f"/desk/triage/merges/t/{older.number}/provenance/"
    newer.refresh_from_db()
    assert (newer.status.kind, newer.merged_into) == (StatusKind.MERGED, older)
    html = client.get(response["Location"]).content.decode()
    assert f'data-original="{newer.number}"' in html and "三楼打印机又卡纸了" in html


def test_rejecting_needs_a_reason_and_is_recorded(client, agent, pair):
    older, _newer, proposal = pair
    client.force_login(agent)
    client.post(f"/desk/triage/merges/{proposal.pk}/reject/", {"reason": ""})
    assert MergeProposal.objects.get().state == ProposalState.PENDING
    back = f"/desk/t/{older.number}/"
    response = client.post(f"/desk/triage/merges/{proposal.pk}/reject/", {"reason": "不同楼层", "next": back})
    assert response["Location"] == back
    proposal.refresh_from_db()
    assert (proposal.state, proposal.reject_reason, proposal.decided_by) == (ProposalState.REJECTED, "不同楼层", agent)


def test_the_ticket_panel_shows_proposals_merged_originals_and_unmerge(client, agent, pair):
    older, newer, proposal = pair
    client.force_login(agent)
    panel = client.get(f"/desk/triage/merges/t/{older.number}/panel/").content.decode()
    assert f'data-proposal="{proposal.pk}"' in panel
    client.post(f"/desk/triage/merges/{proposal.pk}/confirm/")
    panel = client.get(f"/desk/triage/merges/t/{older.number}/panel/").content.decode()
    assert "Merged from" in panel or "合并来源" in panel
    assert f"/desk/t/{newer.number}/" in panel
    on_original = client.get(f"/desk/triage/merges/t/{newer.number}/panel/").content.decode()
    assert 'id="unmerge-form"' in on_original
    response = client.post(f"/desk/triage/merges/t/{newer.number}/unmerge/", {"reason": "不同打印机"})
    assert response["Location"] == f"/desk/t/{newer.number}/"
    newer.refresh_from_db()
    assert (newer.status.kind, newer.merged_into) == (StatusKind.NEW, None)


def test_the_ticket_page_loads_the_panel_lazily(client, agent, pair):
    older, _, _ = pair
    client.force_login(agent)
    html = client.get(f"/desk/t/{older.number}/").content.decode()
    assert f'hx-get="/desk/triage/merges/t/{older.number}/panel/"' in html
    assert 'hx-get="/desk/triage/merges/count/"' in html


def test_the_api_lists_confirms_and_rejects(client, agent, customer, pair):
    older, newer, proposal = pair
    client.force_login(agent)
    listed = client.get("/api/v1/triage/merge-proposals").json()
    assert [(p["id"], p["master"], p["original"], p["state"]) for p in listed] == [
        (proposal.pk, older.number, newer.number, "pending")
    ]
    response = client.post(f"/api/v1/triage/merge-proposals/{proposal.pk}/confirm", {}, content_type=JSON)
    assert response.json() == {"master": older.number}
    again = client.post(f"/api/v1/triage/merge-proposals/{proposal.pk}/reject", {"reason": "x"}, content_type=JSON)
    assert again.status_code == 404
    rows = client.get(f"/api/v1/triage/merges/{older.number}/provenance").json()
    assert [(r["original"], r["previous_status"], r["merged_by"]) for r in rows] == [
        (newer.number, "new", agent.username)
    ]


def test_the_api_unmerges_with_a_reason_and_refuses_a_second_time(client, agent, pair):
    _older, newer, proposal = pair
    client.force_login(agent)
    client.post(f"/api/v1/triage/merge-proposals/{proposal.pk}/confirm", {}, content_type=JSON)
    empty = client.post(f"/api/v1/triage/merges/{newer.number}/unmerge", {"reason": ""}, content_type=JSON)
    assert empty.status_code == 422
    done = client.post(f"/api/v1/triage/merges/{newer.number}/unmerge", {"reason": "不同"}, content_type=JSON)
    assert done.json() == {"number": newer.number, "status": "new"}
    twice = client.post(f"/api/v1/triage/merges/{newer.number}/unmerge", {"reason": "不同"}, content_type=JSON)
    assert (twice.status_code, twice["Content-Type"]) == (409, "application/problem+json")
    assert MergeProvenance.objects.filter(undone_at__isnull=False).count() == 1
    assert Ticket.objects.get(pk=newer.pk).status.kind == StatusKind.NEW


def test_customers_cannot_use_the_merge_api(client, customer, pair):
    _, _newer, proposal = pair
    client.force_login(customer.user)
    assert client.get("/api/v1/triage/merge-proposals").status_code == 403
    response = client.post(f"/api/v1/triage/merge-proposals/{proposal.pk}/confirm", {}, content_type=JSON)
    assert response.status_code == 403
    assert MergeProposal.objects.get().state == ProposalState.PENDING
