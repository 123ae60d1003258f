"""Factories for the import tests: runs, and SIRENE files in the official layout."""

import codecs
import csv
import io

import factory
from django.conf import settings
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


# --- SIRENE stock files in the official layout -----------------------------

LEGACY_MISSING = (
    "dernierNumeroVoieEtablissement",
    "indiceRepetitionDernierNumeroVoieEtablissement",
    "identifiantAdresseEtablissement",
    "coordonneeLambertAbscisseEtablissement",
    "coordonneeLambertOrdonneeEtablissement",
    "activitePrincipaleNAF25Etablissement",
)


def sirene_header(*, legacy: bool = False) -> list[str]:
    """The official 54-column header (48 columns for the older stocks)."""
    path = settings.DATA_DIR / "sirene_headers_2026.txt"
    line = next(
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("siren,nic,siret,")
    )
    columns = line.split(",")
    if legacy:
        columns = [c for c in columns if c not in LEGACY_MISSING]
    return columns


def sirene_row(siret: str = "12345678900011", **values) -> dict[str, str]:
    """One establishment, active, in Grenoble (38185), NAF 25.62B."""
    row = {
        "siren": siret[:9],
        "nic": siret[9:],
        "siret": siret,
        "statutDiffusionEtablissement": "O",
        "dateCreationEtablissement": "2015-03-02",
        "trancheEffectifsEtablissement": "12",
        "anneeEffectifsEtablissement": "2023",
        "etablissementSiege": "true",
        "codePostalEtablissement": "38000",
        "libelleCommuneEtablissement": "GRENOBLE",
        "codeCommuneEtablissement": "38185",
        "dateDebut": "2015-03-02",
        "etatAdministratifEtablissement": "A",
        "enseigne1Etablissement": "ATELIER DU DRAC",
        "denominationUsuelleEtablissement": "",
        "activitePrincipaleEtablissement": "25.62B",
        "nomenclatureActivitePrincipaleEtablissement": "NAFRev2",
        "caractereEmployeurEtablissement": "O",
        "activitePrincipaleNAF25Etablissement": "25.62Y",
    }
    row.update(values)
    return row


def write_sirene(
    path, rows, *, legacy: bool = False, bom: bool = False, encoding="utf-8"
):
    """Write rows (dicts by column name) as an official SIRENE stock file."""
    columns = sirene_header(legacy=legacy)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns])
    data = buffer.getvalue().encode(encoding)
    path.write_bytes((codecs.BOM_UTF8 if bom else b"") + data)
    return path
