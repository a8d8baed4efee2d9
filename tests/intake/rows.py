"""One row of every intake model, for the admin smoke test (written through intake's own paths)."""

from gongdan.customers.constants import IdentityKind
from gongdan.intake import health
from gongdan.intake.adapters.mime import parse_mail
from gongdan.intake.constants import Reason, Source
from gongdan.intake.models import IntakePolicy, Mailbox, WebhookSecret
from gongdan.intake.pipeline.runner import ingest, record_dead_letter
from tests.intake.mails import BROKEN, mail


def one_intake_row_each(customer) -> None:
    email = customer.identities.get(kind=IdentityKind.EMAIL).value
    ingest(parse_mail(mail(sender=email, subject="扫码枪无响应", body="扫码枪无响应", message_id="<admin-1@x>")))
    # A file the desk does not take is quarantined; a stranger's reply is held on the ticket.
    exe = (
        b"From: tools@example.net\r\nSubject: tool\r\nMessage-ID: <admin-2@x>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee tool\r\n'
        b'--b\r\nContent-Type: application/x-msdownload\r\nContent-Disposition: attachment; filename="t.exe"\r\n'
        b"\r\nMZ\r\n--b--\r\n"
    )
    ingest(parse_mail(exe))
    stranger = mail(
        sender="stranger@example.net",
        subject="Re: 扫码枪无响应",
        body="我来补充",
        message_id="<admin-3@x>",
        headers={"In-Reply-To": "<admin-1@x>"},
    )
    ingest(parse_mail(stranger))
    record_dead_letter(source=Source.EMAIL, raw=BROKEN, reason=Reason.NO_SENDER, detail="no From")
    health.record_probe(Source.EMAIL, ok=True)
    IntakePolicy.current()
    Mailbox.objects.create(name="support", host="imap.example.com", username="support", password="pw")
    WebhookSecret.objects.create(source=Source.WEBHOOK, name="erp", token="s3cret")
