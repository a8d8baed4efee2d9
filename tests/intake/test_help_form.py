"""The public help form is a styled page with a category, attachments and a language switch (issue 17, defect 4)."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gongdan.tickets.models import Ticket
from tests import factories


def test_the_help_form_is_a_styled_bilingual_page_with_category_and_attachments(db):
    factories.category("printer", "打印机")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    html = client.get("/help/").content.decode()

    assert "vendor/bootstrap/css/bootstrap.min.css" in html and 'id="help-form"' in html
    assert 'id="language-form"' in html and 'lang="zh-hans">简体中文' in html
    assert 'name="category"' in html and '<option value="printer">printer</option>' in html
    assert 'type="file" name="attachments"' in html and 'enctype="multipart/form-data"' in html


def test_a_request_from_the_help_form_keeps_its_category_and_files(db):
    printer = factories.category("printer", "打印机")
    client = Client()
    submission = client.get("/help/").context["form"].initial["submission_id"]

    answer = client.post(
        "/help/",
        {
            "submission_id": str(submission),
            "name": "周师傅",
            "phone": "13800138000",
            "category": "printer",
            "subject": "打印机卡纸",
            "body": "每页都卡纸",
            "attachments": [SimpleUploadedFile("卡纸.jpg", b"\xff\xd8\xff\xe0jpegdata", "image/jpeg")],
        },
    )

    ticket = Ticket.objects.get()
    assert answer.status_code == 200 and ticket.number in answer.content.decode()
    assert ticket.category == printer
    assert list(ticket.attachments.values_list("filename", flat=True)) == ["卡纸.jpg"]


def test_a_missing_contact_is_shown_on_the_form_in_the_visitors_language(db):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    submission = client.get("/help/").context["form"].initial["submission_id"]
    answer = client.post("/help/", {"submission_id": str(submission), "name": "周", "subject": "s", "body": "b"})
    assert answer.status_code == 422
    assert 'class="alert alert-danger py-2" role="alert"' in answer.content.decode()
    assert not Ticket.objects.exists()
