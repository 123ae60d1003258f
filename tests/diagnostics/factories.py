"""Factories for the import tests: runs, with or without a rejects file."""

import factory
from django.core.files.base import ContentFile

from diagnostics.models import ImportKind, ImportRun, ImportStatus


class ImportRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportRun

    kind = ImportKind.UNEMPLOYMENT
    file_name = "chomage.csv"
    status = ImportStatus.PENDING


class FinishedImportRunFactory(ImportRunFactory):
    """A succeeded run whose rejects CSV exists under MEDIA_ROOT."""

    class Meta:
        skip_postgeneration_save = True

    status = ImportStatus.SUCCEEDED
    rows_read = 3
    inserted = 2
    rejected = 1
    report = factory.LazyFunction(
        lambda: {
            "rejects": {"zone_inconnue": 1},
            "warnings": {},
            "labels": {"zone_inconnue": "Zone d'emploi absente"},
        }
    )

    @factory.post_generation
    def rejects(obj, create, extracted, **kwargs):
        if not create:
            return
        obj.rejects_file.save(
            f"import-{obj.pk}-rejets.csv",
            ContentFile(b"ligne,motif,ZE2020\n4,zone_inconnue,9999\n"),
            save=True,
        )
