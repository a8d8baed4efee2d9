from django.db import migrations


def seed(apps, schema_editor):
    WorkspacePolicy = apps.get_model("web", "WorkspacePolicy")
    WorkspacePolicy.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("web", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
