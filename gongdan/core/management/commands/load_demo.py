from django.core.management.base import BaseCommand
from django.utils import timezone

from gongdan.demo import builder, data
from gongdan.tickets.services import judgement


def login_table() -> list[str]:
    """The demo logins, one line per role, with the role named in both languages."""
    by_role: dict[str, list[str]] = {}
    for staff in data.STAFF:
        role = "field" if staff.is_field_engineer else staff.role
        by_role.setdefault(role, []).append(staff.username)
    by_role["customer"] = [
        f"{c.username}{' (VIP)' if c.tier == 'vip' else ''}{' (English)' if c.language == 'en' else ''}"
        for c in data.CUSTOMERS
        if c.username
    ]
    lines = []
    for role in ("admin", "lead", "agent", "department", "field", "customer"):
        zh, en = data.ROLE_LABELS[role]
        password = data.PASSWORDS["department" if role == "field" else role]
        lines.append(f"  {zh} / {en}")
        lines.append(f"      password {password:<18} users: {', '.join(by_role[role])}")
    return lines


class Command(BaseCommand):
    help = "Load the bilingual demo desk (teams, staff, customers, 300 tickets over 60 days). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--logins", action="store_true", help="Only print the demo logins.")

    def handle(self, *args, logins: bool = False, **options):
        if logins:
            self.stdout.write("\n".join(login_table()))
            return
        if builder.is_loaded():
            self.stdout.write("Demo data already loaded; nothing to do (make demo-reset starts over).")
            return
        reason = builder.blocking_data()
        if reason:
            self.stderr.write(f"Not loading the demo into a database that is in use: {reason}.")
            return
        self.stdout.write("Loading the demo desk (a few minutes: every ticket's history is replayed)…")

        def progress(done: int, total: int) -> None:
            self.stdout.write(f"  {done}/{total} tickets")
            self.stdout.flush()

        # The demo's history is built as it happened: each ticket judged when it was created.
        with judgement.synchronously():
            summary = builder.build(progress=progress)
        start, end = summary.window
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo desk loaded in {summary.seconds:.1f} s "
                f"({timezone.localtime(start):%Y-%m-%d} → {timezone.localtime(end):%Y-%m-%d})."
            )
        )
        for name, value in summary.counts.items():
            self.stdout.write(f"  {name:<18} {value}")
        self.stdout.write("  statuses           " + ", ".join(f"{k} {v}" for k, v in summary.statuses.items()))
        self.stdout.write("  closed by          " + ", ".join(f"{k} {v}" for k, v in summary.closures.items()))
        self.stdout.write("The demo logins: manage.py load_demo --logins (README.md lists them too).")
