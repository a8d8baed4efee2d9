"""Staff manage their own notification channels through the API; push tokens never come back."""

from gongdan.automation.models import NotificationPreference


def test_a_staff_member_replaces_and_reads_their_channels(as_agent, agent):
    sent = [
        {"channel": "apprise", "target": "dingtalk://abcdef0123456789/SECRET"},
        {"channel": "sms", "target": "+86 138 0013 8000", "urgent_only": True},
        {"channel": "email", "quiet_start": "22:00:00", "quiet_end": "08:00:00"},
    ]
    saved = as_agent.put("/api/v1/me/notification-preferences", sent, content_type="application/json")

    assert saved.status_code == 200
    assert [(p["channel"], p["target"], p["urgent_only"]) for p in saved.json()] == [
        ("apprise", "dingtalk://abcdef0123456789/…", False),
        ("sms", "+86 138 0013 8000", True),
        ("email", "", False),
    ]
    assert NotificationPreference.objects.get(user=agent, channel="apprise").target == sent[0]["target"]
    assert as_agent.get("/api/v1/me/notification-preferences").json() == saved.json()


def test_an_invalid_address_refuses_the_whole_list_and_keeps_the_old_one(as_agent, agent):
    NotificationPreference.objects.create(user=agent, channel="email")
    refused = as_agent.put(
        "/api/v1/me/notification-preferences",
        [{"channel": "sms", "target": "+8613800138000"}, {"channel": "apprise", "target": "json://127.0.0.1:8080/x"}],
        content_type="application/json",
    )

    assert refused.status_code == 422
    assert refused["Content-Type"] == "application/problem+json"
    assert list(NotificationPreference.objects.filter(user=agent).values_list("channel", flat=True)) == ["email"]


def test_customers_have_no_desk_notification_channels(client, customer):
    client.force_login(customer.user)
    assert client.get("/api/v1/me/notification-preferences").status_code == 403
