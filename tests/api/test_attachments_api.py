"""Files over the API: multipart upload through services.attach, listing, access-checked download."""

from django.core.files.uploadedfile import SimpleUploadedFile

from gongdan.tickets import services
from gongdan.tickets.models import Attachment, TicketEvent
from tests.api.conftest import assert_problem


def _file(name="截图.png", content=b"\x89PNG fake", content_type="image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_staff_upload_internal_files_with_a_summary(as_agent, agent, ticket):
    response = as_agent.post(
        f"/api/v1/tickets/{ticket.number}/attachments",
        {"files": [_file(), _file("日志.txt", b"log", "text/plain")], "is_public": "false", "summary": "上传诊断日志"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert [(a["filename"], a["size"], a["is_public"]) for a in body] == [
        ("截图.png", 9, False),
        ("日志.txt", 3, False),
    ]
    assert body[0]["download_url"] == f"/api/v1/attachments/{body[0]['id']}/download"
    event = TicketEvent.objects.get(ticket=ticket, event_type="attachment_added")
    assert (event.summary, event.channel, event.actor, event.is_public) == ("上传诊断日志", "api", agent, False)


def test_a_customer_upload_is_always_public(as_customer, customer, ticket):
    response = as_customer.post(
        f"/api/v1/tickets/{ticket.number}/attachments", {"files": _file(), "is_public": "false"}
    )
    assert response.status_code == 201
    attachment = Attachment.objects.get()
    assert (attachment.is_public, attachment.uploaded_by_customer) == (True, customer)


def test_a_file_type_outside_the_allow_list_is_refused_and_nothing_is_stored(as_agent, ticket):
    response = as_agent.post(
        f"/api/v1/tickets/{ticket.number}/attachments",
        {"files": _file("run.exe", b"MZ", "application/octet-stream")},
    )
    body = assert_problem(response, 422, "attachment-rejected")
    assert body["errors"] == {"file": "type_not_allowed"}
    assert Attachment.objects.count() == 0
    assert not TicketEvent.objects.filter(event_type="attachment_added").exists()


def test_an_upload_without_files_is_a_validation_problem(as_agent, ticket):
    response = as_agent.post(f"/api/v1/tickets/{ticket.number}/attachments", {"summary": "空"})
    assert_problem(response, 422, "validation-error")
    assert Attachment.objects.count() == 0


def test_the_download_is_the_stored_file_with_its_name(as_customer, customer, ticket, agent_actor):
    event = services.attach(actor=agent_actor, ticket=ticket, files=[services.Upload("方案.pdf", b"%PDF-1.7 ok", "")])
    attachment = event.attachments.get()
    response = as_customer.get(f"/api/v1/attachments/{attachment.pk}/download")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.7 ok"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''%E6%96%B9%E6%A1%88.pdf"


def test_staff_list_public_and_internal_files_while_the_customer_lists_only_public_ones(
    as_agent, as_customer, ticket, agent_actor
):
    services.attach(actor=agent_actor, ticket=ticket, files=[services.Upload("公开.pdf", b"%PDF a", "")])
    services.attach(actor=agent_actor, ticket=ticket, files=[services.Upload("内部.txt", b"b", "")], is_public=False)
    staff = as_agent.get(f"/api/v1/tickets/{ticket.number}/attachments").json()
    customer = as_customer.get(f"/api/v1/tickets/{ticket.number}/attachments").json()
    assert [a["filename"] for a in staff] == ["公开.pdf", "内部.txt"]
    assert [a["filename"] for a in customer] == ["公开.pdf"]


def test_a_missing_attachment_and_a_file_gone_from_disk_are_404(as_agent, ticket, agent_actor):
    event = services.attach(actor=agent_actor, ticket=ticket, files=[services.Upload("a.txt", b"a", "")])
    attachment = event.attachments.get()
    attachment.file.storage.delete(attachment.file.name)
    assert_problem(as_agent.get(f"/api/v1/attachments/{attachment.pk}/download"), 404, "not-found")
    assert_problem(as_agent.get("/api/v1/attachments/999999/download"), 404, "not-found")
