"""Attachments: size, type and count limits; internal files stay internal."""

import pytest

from gongdan.core.errors import AttachmentRejected, InvalidInput
from gongdan.tickets import services
from gongdan.tickets.constants import EventType
from gongdan.tickets.models import Attachment, DeskPolicy
from gongdan.tickets.services import Upload

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


def test_a_solution_document_upload_is_an_effective_action(ticket, agent_actor):
    event = services.attach(actor=agent_actor, ticket=ticket, files=[Upload("处理步骤.pdf", b"%PDF-1.7 steps")])
    ticket.refresh_from_db()
    attachment = Attachment.objects.get()
    assert (event.event_type, event.is_effective) == (EventType.ATTACHMENT_ADDED, True)
    assert (attachment.filename, attachment.content_type, attachment.size) == ("处理步骤.pdf", "application/pdf", 14)
    assert attachment.file.read() == b"%PDF-1.7 steps"
    assert ticket.last_effective_action_at == event.created_at


def test_a_file_over_the_size_limit_is_refused_and_nothing_is_stored(ticket, agent_actor):
    policy = DeskPolicy.current()
    policy.attachment_max_bytes = 1024 * 1024
    policy.save()
    with pytest.raises(AttachmentRejected) as refused:
        services.add_reply(
            actor=agent_actor, ticket=ticket, body="见附件", attachments=[Upload("big.png", b"x" * (1024 * 1024 + 1))]
        )
    assert refused.value.message_zh == "文件 big.png 超过 1 MB 的上限。"
    assert (Attachment.objects.count(), ticket.events.count()) == (0, 1)


def test_a_disallowed_type_is_refused(ticket, customer_actor):
    with pytest.raises(AttachmentRejected) as refused:
        services.attach(actor=customer_actor, ticket=ticket, files=[Upload("setup.exe", b"MZ...")])
    assert refused.value.fields == {"file": "type_not_allowed"}
    assert Attachment.objects.count() == 0


def test_too_many_files_in_one_message_are_refused(ticket, agent_actor):
    files = [Upload(f"p{i}.png", PNG) for i in range(11)]
    with pytest.raises(InvalidInput):
        services.add_reply(actor=agent_actor, ticket=ticket, body="照片", attachments=files)
    assert Attachment.objects.count() == 0


def test_files_on_an_internal_note_are_internal(ticket, agent_actor):
    services.add_note(actor=agent_actor, ticket=ticket, body="内部截图", attachments=[Upload("log.txt", b"trace")])
    assert list(Attachment.objects.values_list("filename", "is_public")) == [("log.txt", False)]


def test_a_customer_upload_is_always_public_and_not_effective(ticket, customer_actor):
    event = services.attach(actor=customer_actor, ticket=ticket, files=[Upload("photo.png", PNG)], is_public=False)
    assert (event.is_public, event.is_effective) == (True, False)
    assert Attachment.objects.get().uploaded_by_customer_id == customer_actor.customer.pk
