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
        from gongdan.triage.merging import admin as merging_admin  # noqa: F401  (the policy's admin page)
        from gongdan.triage.merging import services as merging
        from gongdan.triage.merging import tasks as merging_tasks  # noqa: F401  (registers the periodic expiry)
        from gongdan.triage.services import on_ticket_created as score_and_classify

        hooks.register_created_hook(score_and_classify, order=hooks.ORDER_TRIAGE)
        hooks.register_created_hook(duplicates.on_ticket_created, order=hooks.ORDER_DUPLICATES)
        hooks.register_changed_hook(duplicates.on_ticket_changed)
        hooks.register_created_hook(merging.on_ticket_created, order=hooks.ORDER_DUPLICATES + 10)
        hooks.register_changed_hook(merging.on_ticket_changed)
        hooks.register_merged_hook(merging.on_ticket_merged)
        hooks.register_unmerged_hook(merging.on_ticket_unmerged)
