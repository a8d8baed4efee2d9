"""Links in mail are built from the one configured site URL, which `make run` sets from its address
(issue 17, defect 12); `make run` runs the due sweeps before its banner (defect 13)."""

import io
import os
import subprocess
from pathlib import Path

from django.core.management import call_command

from gongdan.automation.models import OutboxMessage
from gongdan.core import siteurl
from gongdan.sla import notifications

ROOT = Path(__file__).resolve().parents[2]


def test_absolute_links_join_the_site_url_and_the_path_with_one_slash(settings):
    settings.SITE_URL = "https://desk.example.com:8443/"
    assert siteurl.absolute("/desk/t/GD-000001/") == "https://desk.example.com:8443/desk/t/GD-000001/"
    settings.SITE_URL = "http://10.1.2.3:9000"
    assert siteurl.absolute("feedback/confirm/x/") == "http://10.1.2.3:9000/feedback/confirm/x/"


def test_the_emailed_sign_in_link_uses_the_configured_site_url(client, customer, settings):
    settings.SITE_URL = "http://10.1.2.3:9000/"
    client.post("/login/link/", {"email": "zhangsan@example.com"})
    body = OutboxMessage.objects.get().body
    url = next(line for line in body.splitlines() if "/login/link/" in line).strip()
    assert url.startswith("http://10.1.2.3:9000/login/link/")


def test_a_notice_links_the_ticket_under_the_site_url(settings, customer):
    from tests import factories

    settings.SITE_URL = "http://10.1.2.3:9000/"
    ticket = factories.ticket_for(customer)
    assert f"http://10.1.2.3:9000/desk/t/{ticket.number}/" in notifications.body(ticket, "headline", "")


def test_make_run_sets_the_site_url_from_the_address_it_serves_on():
    script = (ROOT / "scripts" / "run.sh").read_text()
    settings_lines = "\n".join(
        line for line in script.splitlines() if line.startswith(("ADDR=", "export GONGDAN_SITE"))
    )
    env = {k: v for k, v in os.environ.items() if k != "GONGDAN_SITE_URL"} | {"GONGDAN_RUN_ADDR": "0.0.0.0:8123"}
    out = subprocess.run(
        ["bash", "-c", f'{settings_lines}\necho "$GONGDAN_SITE_URL"'], env=env, capture_output=True, text=True
    )
    assert out.stdout.strip() == "http://0.0.0.0:8123"
    assert script.index("manage.py catch_up") < script.index("BANNER")


def test_catch_up_delivers_the_due_mail_at_once(db, mailoutbox):
    from gongdan.automation import services as outbox

    outbox.enqueue_email(recipient="a@example.com", subject="s", body="b")
    call_command("catch_up", stdout=io.StringIO())
    assert [m.to for m in mailoutbox] == [["a@example.com"]]
    assert not OutboxMessage.objects.filter(state="pending").exists()
