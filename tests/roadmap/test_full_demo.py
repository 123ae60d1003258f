import pytest
from django.core.management import call_command

from diagnostics.models import Establishment, ImportKind, ImportRun
from roadmap.models import Roadmap


@pytest.mark.slow
@pytest.mark.django_db
def test_full_demo_loads_every_source_once(data_dir, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    call_command("load_full_demo")
    call_command("load_full_demo")

    assert Roadmap.objects.count() == 306
    assert Establishment.objects.count() == 100_000
    sirene = ImportRun.objects.get(kind=ImportKind.SIRENE)
    assert sirene.generated
    runs = ImportRun.objects.filter(dry_run=False)
    for kind in (
        ImportKind.SIRENE,
        ImportKind.UNEMPLOYMENT,
        ImportKind.POPULATION,
        ImportKind.BMO,
    ):
        assert runs.filter(kind=kind).count() == 1, kind
