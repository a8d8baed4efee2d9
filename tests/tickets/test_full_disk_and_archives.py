"""A full media disk answers 507 and leaves no file behind (issue 13, item 7); zip archives are
inspected for entry count and compression ratio (item 8)."""

import errno
import io
import os
import zipfile
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile

from gongdan.tickets.models import Attachment, Ticket, TicketEvent
from tests.api.conftest import assert_problem, session_client


class QuotaStorage(FileSystemStorage):
    """The media volume with a hard quota: a write past it fails the way a full disk does,
    after the bytes that fitted were written (the partial file is left, as the kernel leaves it)."""

    quota = 1000

    def _save(self, name, content):
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        used = sum(f.stat().st_size for f in Path(self.location).rglob("*") if f.is_file())
        data = content.read()
        with open(path, "xb") as handle:
            handle.write(data[: max(self.quota - used, 0)])
            if used + len(data) > self.quota:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return name


@pytest.fixture
def as_agent(agent):
    return session_client(agent)


@pytest.fixture
def full_soon(settings):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": f"{__name__}.QuotaStorage"}}
    return Path(settings.MEDIA_ROOT)


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_an_api_upload_onto_a_full_disk_is_a_507_and_leaves_no_file(as_agent, ticket, full_soon):
    events = TicketEvent.objects.filter(ticket=ticket).count()
    fits = SimpleUploadedFile("log.txt", b"a" * 600, content_type="text/plain")
    overflows = SimpleUploadedFile("dump.txt", b"b" * 600, content_type="text/plain")

    response = as_agent.post(
        f"/api/v1/tickets/{ticket.number}/attachments", {"files": [fits, overflows]}, HTTP_ACCEPT_LANGUAGE="en"
    )

    body = assert_problem(response, 507, "insufficient-storage")
    assert body["detail_en"].startswith("The attachment store is full: nothing was saved.")
    assert body["errors"] == {"attachments": "storage_full"}
    assert _files(full_soon) == []
    assert Attachment.objects.count() == 0
    assert TicketEvent.objects.filter(ticket=ticket).count() == events


def test_a_desk_reply_with_a_file_onto_a_full_disk_keeps_the_typed_text(as_agent, ticket, full_soon):
    events = TicketEvent.objects.filter(ticket=ticket).count()
    response = as_agent.post(
        f"/desk/t/{ticket.number}/compose/",
        {
            "kind": "reply",
            "body": "请重启路由器后再试一次",
            "summary": "",
            "attachments": SimpleUploadedFile("guide.txt", b"x" * 2000),
        },
    )

    page = response.content.decode()
    assert response.status_code == 507
    assert "附件存储空间已满" in page
    assert "请重启路由器后再试一次" in page
    assert _files(full_soon) == []
    assert TicketEvent.objects.filter(ticket=ticket).count() == events


def test_a_portal_request_with_a_file_onto_a_full_disk_keeps_the_form(customer, full_soon):
    client = session_client(customer.user)
    response = client.post(
        "/portal/new/",
        {
            "subject": "打印机卡纸",
            "description": "三楼打印机一直卡纸",
            "attachments": SimpleUploadedFile("photo.txt", b"p" * 5000),
        },
    )

    page = response.content.decode()
    assert response.status_code == 507
    assert "附件存储空间已满" in page and "三楼打印机一直卡纸" in page
    assert Ticket.objects.count() == 0
    assert _files(full_soon) == []


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("entries", "code"),
    [
        ({"zeros.bin": b"\0" * 5_000_000}, "archive_ratio"),
        ({f"f{i}.txt": b"x" for i in range(1001)}, "archive_too_many_entries"),
    ],
)
def test_a_zip_bomb_is_refused_and_nothing_is_stored(as_agent, ticket, settings, entries, code):
    settings.GONGDAN_ZIP_MAX_ENTRIES = 1000
    upload = SimpleUploadedFile("logs.zip", _zip(entries), content_type="application/zip")

    response = as_agent.post(
        f"/api/v1/tickets/{ticket.number}/attachments", {"files": [upload]}, HTTP_ACCEPT_LANGUAGE="en"
    )

    body = assert_problem(response, 422, "attachment-rejected")
    assert body["errors"] == {"file": code}
    assert Attachment.objects.count() == 0


def test_an_ordinary_zip_is_accepted(as_agent, ticket):
    content = _zip({"readme.txt": "设备日志 device log\n".encode() * 20, "config.ini": b"[net]\nip=dhcp\n"})
    upload = SimpleUploadedFile("logs.zip", content, content_type="application/zip")

    response = as_agent.post(f"/api/v1/tickets/{ticket.number}/attachments", {"files": [upload]})

    assert response.status_code == 201, response.content
    assert [item["filename"] for item in response.json()] == ["logs.zip"]


def test_a_corrupt_zip_is_refused(as_agent, ticket):
    upload = SimpleUploadedFile("logs.zip", b"PK\x03\x04" + b"garbage" * 10, content_type="application/zip")
    body = assert_problem(
        as_agent.post(f"/api/v1/tickets/{ticket.number}/attachments", {"files": [upload]}), 422, "attachment-rejected"
    )
    assert body["errors"] == {"file": "bad_archive"}
