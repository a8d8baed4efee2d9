from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TriageConfig(AppConfig):
    name = "gongdan.triage"
    label = "triage"
    verbose_name = _("Triage")

    def ready(self) -> None:
        from gongdan.tickets.services import hooks
        from gongdan.triage.duplicates import admin as duplicates_admin  # noqa: F401  (registers its admin)
        from gongdan.triage.duplicates import services as duplicates
        from gongdan.triage.duplicates import tasks as duplicates_tasks  # noqa: F401  (registers the periodic task)

        hooks.register_created_hook(duplicates.on_ticket_created, order=hooks.ORDER_DUPLICATES)
        hooks.register_changed_hook(duplicates.on_ticket_changed)
