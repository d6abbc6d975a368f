import datetime

from django.db import migrations, models


def expire_existing_tokens(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Tokens issued before expiry existed keep working for the longest time a token may now have,
    counted from when they were issued; they had read and written everything, so they keep both."""
    ApiToken = apps.get_model("access", "ApiToken")
    for token in ApiToken.objects.all():
        token.expires_at = token.created_at + datetime.timedelta(days=90)
        token.scopes = "read write"
        token.save(update_fields=["expires_at", "scopes"])


class Migration(migrations.Migration):
    dependencies = [("access", "0005_initial")]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="expires"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="scopes",
            field=models.CharField(default="read", max_length=50, verbose_name="scopes"),
        ),
        migrations.RunPython(expire_existing_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(verbose_name="expires"),
        ),
    ]
