from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TriageConfig(AppConfig):
    name = "gongdan.triage"
    label = "triage"
    verbose_name = _("Triage")

    def ready(self) -> None:
        from gongdan.tickets.services.hooks import (
            ORDER_DUPLICATES,
            register_category_changed_hook,
            register_created_hook,
        )
        from gongdan.triage.merging import services as merging
        from gongdan.triage.merging import tasks  # noqa: F401  (registers the periodic expiry)

        register_created_hook(merging.on_ticket_created, order=ORDER_DUPLICATES + 10)
        register_category_changed_hook(merging.on_category_changed, order=ORDER_DUPLICATES + 10)
