"""Background work: public data imports, run by `manage.py db_worker`."""

from django.tasks import task

from diagnostics.importers import runs
from diagnostics.models import ImportRun


@task
def run_import(run_id: int) -> str:
    """Run the import of one uploaded file; returns the run's final status."""
    run = ImportRun.objects.get(pk=run_id)
    runs.run_import(run=run)
    return run.status
