"""Retrain the classifier from the database; every node picks the new version up on its next prediction."""

from django.core.management.base import BaseCommand, CommandError

from gongdan.core.context import Actor
from gongdan.core.errors import DomainError
from gongdan.triage import services


class Command(BaseCommand):
    help = "Train the triage classifier (category, tags, sentiment) from categorised tickets and store it."

    def add_arguments(self, parser):
        parser.add_argument("--seed-rules", action="store_true", help="Also create the default keyword rules.")

    def handle(self, *args, **options):
        actor = Actor.system()
        try:
            if options["seed_rules"]:
                self.stdout.write(f"keyword rules created: {services.seed_default_rules(actor=actor)}")
            model = services.train_classifier(actor=actor)
        except DomainError as error:
            raise CommandError(error.message("en")) from error
        self.stdout.write(f"classifier v{model.version}: {model.sample_count} samples, {model.metrics}")
