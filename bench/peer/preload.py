"""Preload the peer (django-helpdesk) with the bench's number of tickets through its ORM, and print
what the scenarios need as JSON. Run with the peer's virtualenv:

    PEER_DATABASE_URL=… DJANGO_SETTINGS_MODULE=project.settings venv/bin/python preload.py 100000

Idempotent: a database that already holds `count` tickets is only asked for the personas.
Tickets are spread over 180 days, 8.5% open (assigned to the bench agent and three colleagues), the
rest closed, each with three follow-ups; the newest open ticket of the agent has 100 (ticket page).
"""

import json
import random
import sys
from datetime import timedelta

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.utils import timezone  # noqa: E402
from helpdesk.models import FollowUp, Queue, Ticket  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

CHUNK = 5000
SUBJECTS = [
    "打印机卡纸",
    "无法登录系统",
    "VPN 连不上",
    "付款失败",
    "Printer jam on floor 3",
    "Cannot log in",
    "邮件收不到",
]
DETAILS = ["今天上午开始出现", "已经重启过了", "同事也一样", "It started this morning", "Restarting did not help"]


def _people():
    users = get_user_model()
    agent, _ = users.objects.get_or_create(
        username="bench_agent", defaults={"is_staff": True, "is_superuser": True, "email": "agent@example.com"}
    )
    colleagues = [
        users.objects.get_or_create(
            username=f"bench_peer{i}", defaults={"is_staff": True, "email": f"p{i}@example.com"}
        )[0]
        for i in range(3)
    ]
    return agent, colleagues


def _tickets(queue, agent, colleagues, count: int, rng: random.Random) -> None:
    now = timezone.now()
    start = now - timedelta(days=180)
    owners = [agent, *colleagues]
    made = Ticket.objects.count()
    while made < count:
        rows = []
        for n in range(made, min(count, made + CHUNK)):
            created = start + timedelta(seconds=(n / count) * 180 * 86400)
            open_ = rng.random() < 0.085 or n >= count - 50
            rows.append(
                Ticket(
                    title=f"{rng.choice(SUBJECTS)} #{n}",
                    description=f"{rng.choice(DETAILS)}，{rng.choice(DETAILS)}",
                    queue=queue,
                    created=created,
                    modified=created,
                    submitter_email=f"customer{rng.randrange(20000)}@example.com",
                    status=Ticket.OPEN_STATUS if open_ else Ticket.CLOSED_STATUS,
                    priority=rng.choice([1, 2, 3, 3, 3, 4, 5]),
                    assigned_to=rng.choice(owners) if open_ else None,
                )
            )
        saved = Ticket.objects.bulk_create(rows)
        followups = [
            FollowUp(
                ticket=t,
                title="Comment",
                comment=f"{rng.choice(DETAILS)} ({k})",
                public=bool(k % 2),
                date=t.created + timedelta(hours=k + 1),
                user=agent if k % 2 else None,
            )
            for t in saved
            for k in range(3)
        ]
        FollowUp.objects.bulk_create(followups)
        made += len(rows)


def main() -> None:
    count = int(sys.argv[1])
    rng = random.Random(20261202)
    queue, _ = Queue.objects.get_or_create(
        slug="support", defaults={"title": "Support", "email_address": "support@example.com"}
    )
    agent, colleagues = _people()
    _tickets(queue, agent, colleagues, count, rng)
    mine = Ticket.objects.filter(assigned_to=agent, status=Ticket.OPEN_STATUS).order_by("-id")
    long_ticket = mine.first()
    if long_ticket.followup_set.count() < 100:
        FollowUp.objects.bulk_create(
            FollowUp(
                ticket=long_ticket,
                title="Comment",
                comment=f"Step {k}: {rng.choice(DETAILS)}",
                public=True,
                date=long_ticket.created + timedelta(minutes=k),
                user=agent,
            )
            for k in range(100 - long_ticket.followup_set.count())
        )
    token, _ = Token.objects.get_or_create(user=agent)
    session = SessionStore()
    session["_auth_user_id"] = str(agent.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = agent.get_session_auth_hash()
    session.create()
    print(
        json.dumps(
            {
                "tickets": Ticket.objects.count(),
                "token": token.key,
                "session": session.session_key,
                "agent_id": agent.pk,
                "queue_id": queue.pk,
                "long_ticket": long_ticket.pk,
                "reply_tickets": list(mine.values_list("id", flat=True)[:50]),
            }
        )
    )


if __name__ == "__main__":
    main()
