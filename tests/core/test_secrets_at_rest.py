"""Secrets at rest (R14.1): IMAP passwords, webhook secrets and push URLs are encrypted in the
database with keys from the environment, rotate with `reencrypt_secrets`, and are never shown again
after saving."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.test import Client

from gongdan.automation.models import NotificationPreference
from gongdan.core import secrets
from gongdan.intake.models import Mailbox, WebhookSecret

KEY_A, KEY_B = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@pytest.fixture
def keys(settings, db):
    settings.GONGDAN_SECRETS_KEYS = [KEY_A]
    return settings


def _mailbox(password: str = "imap-pass-123") -> Mailbox:
    return Mailbox.objects.create(name="support", host="127.0.0.1", username="support", password=password)


def test_the_database_holds_only_ciphertext_and_the_code_reads_plaintext(keys):
    box = _mailbox()
    stored = _raw("intake_mailbox", "password", box.pk)
    assert stored.startswith("enc1:")
    assert "imap-pass-123" not in stored
    assert Fernet(KEY_A.encode()).decrypt(stored[5:].encode()) == b"imap-pass-123"
    assert Mailbox.objects.get(pk=box.pk).password == "imap-pass-123"


def test_webhook_secrets_and_push_urls_are_encrypted_too(keys, agent):
    secret = WebhookSecret.objects.create(source="wecom", name="wecom-main", token="tok-1", aes_key="aes-2")
    pref = NotificationPreference.objects.create(user=agent, channel="apprise", target="dingtalk://TOKEN/SECRET")
    assert _raw("intake_webhooksecret", "token", secret.pk).startswith("enc1:")
    assert _raw("intake_webhooksecret", "aes_key", secret.pk).startswith("enc1:")
    assert "TOKEN" not in _raw("automation_notificationpreference", "target", pref.pk)
    assert NotificationPreference.objects.get(pk=pref.pk).target == "dingtalk://TOKEN/SECRET"


def test_rotation_reencrypts_under_the_new_key_and_the_old_key_can_go(keys):
    box = _mailbox()
    keys.GONGDAN_SECRETS_KEYS = [KEY_B, KEY_A]  # new key first, old still readable
    assert Mailbox.objects.get(pk=box.pk).password == "imap-pass-123"
    call_command("reencrypt_secrets", stdout=io.StringIO())
    stored = _raw("intake_mailbox", "password", box.pk)
    assert Fernet(KEY_B.encode()).decrypt(stored[5:].encode()) == b"imap-pass-123"
    keys.GONGDAN_SECRETS_KEYS = [KEY_B]
    assert Mailbox.objects.get(pk=box.pk).password == "imap-pass-123"


def test_dropping_a_key_too_early_is_a_clear_error(keys):
    box = _mailbox()
    keys.GONGDAN_SECRETS_KEYS = [KEY_B]
    with pytest.raises(secrets.SecretUnreadable, match="reencrypt_secrets"):
        Mailbox.objects.get(pk=box.pk)


def test_plaintext_from_before_encryption_is_read_and_then_encrypted(keys):
    box = _mailbox()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE intake_mailbox SET password = %s WHERE id = %s", ["legacy-plain", box.pk])
    assert Mailbox.objects.get(pk=box.pk).password == "legacy-plain"
    call_command("reencrypt_secrets", stdout=io.StringIO())
    assert _raw("intake_mailbox", "password", box.pk).startswith("enc1:")
    assert Mailbox.objects.get(pk=box.pk).password == "legacy-plain"


def test_without_configured_keys_a_key_derived_from_the_secret_key_is_used(settings, db):
    settings.GONGDAN_SECRETS_KEYS = []
    box = _mailbox()
    assert _raw("intake_mailbox", "password", box.pk).startswith("enc1:")
    assert Mailbox.objects.get(pk=box.pk).password == "imap-pass-123"


def test_the_admin_never_shows_a_saved_secret_and_keeps_it_when_left_empty(keys, admin_user):
    box = _mailbox()
    client = Client()
    client.force_login(admin_user)
    page = client.get(f"/admin/intake/mailbox/{box.pk}/change/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "imap-pass-123" not in page
    assert "enc1:" not in page
    assert "Set. Type a new value to replace it" in page
    form = {
        "name": "support",
        "host": "127.0.0.1",
        "port": "993",
        "security": "ssl",
        "username": "support",
        "password": "",
        "folder": "INBOX",
        "enabled": "on",
    }
    assert client.post(f"/admin/intake/mailbox/{box.pk}/change/", form).status_code == 302
    assert Mailbox.objects.get(pk=box.pk).password == "imap-pass-123"
    form["password"] = "replaced-456"
    assert client.post(f"/admin/intake/mailbox/{box.pk}/change/", form).status_code == 302
    assert Mailbox.objects.get(pk=box.pk).password == "replaced-456"


def test_a_new_mailbox_needs_its_password(keys, admin_user):
    client = Client()
    client.force_login(admin_user)
    page = client.get("/admin/intake/mailbox/add/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Not set." in page
    form = {
        "name": "x",
        "host": "h",
        "port": "993",
        "security": "ssl",
        "username": "u",
        "password": "",
        "folder": "INBOX",
    }
    assert client.post("/admin/intake/mailbox/add/", form).status_code == 200
    assert not Mailbox.objects.exists()
