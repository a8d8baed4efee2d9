from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TriageConfig(AppConfig):
    name = "gongdan.triage"
    label = "triage"
    verbose_name = _("Triage")

    def ready(self) -> None:
        from gongdan.tickets.services import hooks
        from gongdan.triage import batch
        from gongdan.triage.duplicates import admin as duplicates_admin  # noqa: F401  (registers its admin)
        from gongdan.triage.duplicates import services as duplicates
        from gongdan.triage.duplicates import tasks as duplicates_tasks  # noqa: F401  (registers the periodic task)
        from gongdan.triage.merging import admin as merging_admin  # noqa: F401  (the policy's admin page)
        from gongdan.triage.merging import services as merging
        from gongdan.triage.merging import tasks as merging_tasks  # noqa: F401  (registers the periodic expiry)

        # A new ticket's judgement runs in the worker's batches (tickets.services.judgement); edits
        # to a ticket's text or category are reacted to at once.
        batch.register()
        hooks.register_changed_hook(duplicates.on_ticket_changed)
        hooks.register_changed_hook(merging.on_ticket_changed)
        hooks.register_merged_hook(merging.on_ticket_merged)
        hooks.register_unmerged_hook(merging.on_ticket_unmerged)
