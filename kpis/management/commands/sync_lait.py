from django.core.management.base import BaseCommand, CommandError

from kpis.lait import sync


class Command(BaseCommand):
    help = (
        "Write the home council's DfE figures (settings.HOME_LA_NUMBER) into the KPIs that DfE "
        "publishes under the same definition: values, statistical neighbour, region and England "
        "comparators, and national ranks with quartile bands, from the loaded LAIT data. One "
        "transaction; a second run changes nothing. `import_lait` runs it after every import."
    )

    def handle(self, *args, **options):
        try:
            report = sync.sync()
        except sync.NoHomeArea as error:
            raise CommandError(f"{error} Nothing was synced.") from None
        for line in sync.describe(report):
            self.stdout.write(line)
