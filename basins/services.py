"""Writes on territories: the INSEE zones d'emploi import."""

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from basins import cog
from basins.models import Basin, Commune, Department, Region

ZONE_COLUMNS = ("ZE2020", "LIBZE2020", "NB_COM")
COMMUNE_COLUMNS = ("CODGEO", "LIBGEO", "ZE2020", "LIBZE2020", "DEP", "REG")
POPULATION_COLUMNS = ("code", "population")

# Municipal arrondissements of Paris, Lyon and Marseille: SIRENE gives the
# arrondissement's code, INSEE's zones d'emploi table the commune's.
ARRONDISSEMENTS = {
    "75056": [f"751{n:02d}" for n in range(1, 21)],
    "69123": [f"6938{n}" for n in range(1, 10)],
    "13055": [f"132{n:02d}" for n in range(1, 17)],
}
ARRONDISSEMENT_TO_COMMUNE = {
    arrondissement: commune
    for commune, arrondissements in ARRONDISSEMENTS.items()
    for arrondissement in arrondissements
}


class ImportFileError(ValueError):
    """A file that cannot be imported at all; the message is in French."""


@dataclass
class ImportReport:
    created: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    updated: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    unchanged: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    errors: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(self.created.values()) or any(self.updated.values())

    def summary(self) -> str:
        parts = []
        for label in ("basins", "communes", "departments", "regions"):
            parts.append(
                f"{label}: {self.created[label]} créé(s), "
                f"{self.updated[label]} modifié(s), "
                f"{self.unchanged[label]} inchangé(s)"
            )
        return "\n".join(parts)


def read_csv(path: Path | str, *, required: Iterable[str]) -> list[dict[str, str]]:
    """Read a small UTF-8 CSV by column name, refusing missing columns."""
    raw = Path(path).read_bytes()
    return parse_csv_bytes(raw, required=required, name=Path(path).name)


def parse_csv_bytes(
    raw: bytes, *, required: Iterable[str], name: str = "fichier"
) -> list[dict[str, str]]:
    """Decode and parse CSV bytes, with French errors for the usual mistakes."""
    if not raw.strip():
        raise ImportFileError(f"Le fichier {name} est vide.")
    if b"\x00" in raw[:4096]:
        raise ImportFileError(f"Le fichier {name} n'est pas un fichier texte CSV.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            f"Le fichier {name} n'est pas encodé en UTF-8 (octet invalide en "
            f"position {error.start}) : réenregistrez-le en UTF-8."
        ) from None
    reader = csv.reader(io.StringIO(text))
    header = [column.strip() for column in next(reader, [])]
    check_header(header, required=required, name=name)
    rows = []
    for line_number, values in enumerate(reader, start=2):
        if not values:
            continue
        if len(values) != len(header):
            raise ImportFileError(
                f"Ligne {line_number} du fichier {name} : {len(values)} colonnes "
                f"au lieu de {len(header)}."
            )
        rows.append(dict(zip(header, (value.strip() for value in values), strict=True)))
    return rows


def check_header(header: list[str], *, required: Iterable[str], name: str) -> None:
    """Refuse a header that lacks required columns, naming them."""
    if len(header) == 1 and ";" in header[0]:
        raise ImportFileError(
            f"Le fichier {name} utilise « ; » comme séparateur : "
            "le format attendu sépare les colonnes par des virgules."
        )
    missing = [column for column in required if column not in header]
    if missing:
        raise ImportFileError(
            f"Colonnes manquantes dans {name} : {', '.join(missing)}."
        )


def validate_zone_code(code: str, *, line: int) -> str:
    if len(code) != 4 or not code.isdigit():
        raise ImportFileError(
            f"Ligne {line} : code de zone d'emploi invalide « {code} » "
            "(4 chiffres attendus, ex. 0051)."
        )
    return code


@transaction.atomic
def import_zones(
    *,
    zones: list[dict[str, str]],
    communes: list[dict[str, str]],
    populations: dict[str, int] | None = None,
    dry_run: bool = True,
) -> ImportReport:
    """Create or update regions, departments, basins and communes.

    Idempotent: a second run with the same files changes nothing. The whole
    import is one transaction, rolled back on any error or when dry_run.
    """
    report = ImportReport()
    zone_names: dict[str, str] = {}
    for line, row in enumerate(zones, start=2):
        code = validate_zone_code(row["ZE2020"], line=line)
        if not row["LIBZE2020"]:
            raise ImportFileError(f"Ligne {line} : nom de zone d'emploi vide.")
        zone_names[code] = row["LIBZE2020"]

    commune_rows = {}
    for line, row in enumerate(communes, start=2):
        code = row["CODGEO"]
        if len(code) != 5:
            raise ImportFileError(
                f"Ligne {line} : code commune invalide « {code} » (5 caractères)."
            )
        if row["ZE2020"] not in zone_names:
            raise ImportFileError(
                f"Ligne {line} : la commune {code} est rattachée à une zone "
                f"d'emploi inconnue « {row['ZE2020']} »."
            )
        if not row["DEP"] or not row["REG"]:
            raise ImportFileError(f"Ligne {line} : département ou région manquant.")
        commune_rows[code] = row

    _upsert_regions_and_departments(commune_rows.values(), report)
    basins = _upsert_basins(zone_names, report)
    _upsert_communes(commune_rows, basins, populations or {}, report)
    _link_basins_to_territories(commune_rows.values(), basins)

    if dry_run:
        transaction.set_rollback(True)
    return report


def _upsert_regions_and_departments(rows, report: ImportReport) -> None:
    wanted_regions = {}
    wanted_departments = {}
    for row in rows:
        region_name = cog.REGIONS.get(row["REG"], f"Région {row['REG']}")
        wanted_regions[row["REG"]] = region_name
        department_name = cog.DEPARTMENTS.get(
            row["DEP"], (f"Département {row['DEP']}",)
        )[0]
        wanted_departments[row["DEP"]] = (department_name, row["REG"])

    existing = {r.code: r for r in Region.objects.filter(code__in=wanted_regions)}
    for code, name in wanted_regions.items():
        _sync(
            "regions", existing.get(code), Region, {"code": code, "name": name}, report
        )

    existing = {
        d.code: d for d in Department.objects.filter(code__in=wanted_departments)
    }
    for code, (name, region_code) in wanted_departments.items():
        values = {"code": code, "name": name, "region_id": region_code}
        _sync("departments", existing.get(code), Department, values, report)


def _sync(label, instance, model, values, report: ImportReport):
    if instance is None:
        instance = model.objects.create(**values)
        report.created[label] += 1
        return instance
    changed = [k for k, v in values.items() if getattr(instance, k) != v]
    if changed:
        for key in changed:
            setattr(instance, key, values[key])
        instance.save(update_fields=changed)
        report.updated[label] += 1
    else:
        report.unchanged[label] += 1
    return instance


def _upsert_basins(
    zone_names: dict[str, str], report: ImportReport
) -> dict[str, Basin]:
    existing = {b.code: b for b in Basin.objects.filter(code__in=zone_names)}
    return {
        code: _sync(
            "basins", existing.get(code), Basin, {"code": code, "name": name}, report
        )
        for code, name in zone_names.items()
    }


def _upsert_communes(rows, basins, populations, report: ImportReport) -> None:
    existing = {
        c.code: c
        for c in Commune.objects.filter(code__in=list(rows)).only(
            "code", "name", "department_id", "basin_id", "population"
        )
    }
    to_create = []
    # Grouped by the fields that changed: bulk_update builds one CASE per
    # field and row, so a yearly population refresh updates one column only.
    to_update = defaultdict(list)
    for code, row in rows.items():
        values = {
            "name": row["LIBGEO"],
            "department_id": row["DEP"],
            "basin_id": basins[row["ZE2020"]].pk,
            "population": populations.get(code),
        }
        commune = existing.get(code)
        if commune is None:
            to_create.append(Commune(code=code, **values))
            continue
        if populations == {}:
            # Without a population file, keep the population already stored.
            values["population"] = commune.population
        changed = tuple(k for k, v in values.items() if getattr(commune, k) != v)
        if changed:
            for key in changed:
                setattr(commune, key, values[key])
            to_update[changed].append(commune)
        else:
            report.unchanged["communes"] += 1
    Commune.objects.bulk_create(to_create, batch_size=2000)
    for fields, communes in to_update.items():
        Commune.objects.bulk_update(communes, fields, batch_size=1000)
        report.updated["communes"] += len(communes)
    report.created["communes"] += len(to_create)


def _link_basins_to_territories(rows, basins: dict[str, Basin]) -> None:
    departments = defaultdict(set)
    regions = defaultdict(set)
    for row in rows:
        basin_id = basins[row["ZE2020"]].pk
        departments[basin_id].add(row["DEP"])
        regions[basin_id].add(row["REG"])
    _replace_links(Basin.departments.through, "department_id", departments)
    _replace_links(Basin.regions.through, "region_id", regions)


def _replace_links(through, column: str, wanted: dict[int, set[str]]) -> None:
    current = defaultdict(set)
    for basin_id, other in through.objects.filter(basin_id__in=wanted).values_list(
        "basin_id", column
    ):
        current[basin_id].add(other)
    stale = [
        (basin_id, other)
        for basin_id, others in current.items()
        for other in others - wanted[basin_id]
    ]
    for basin_id, other in stale:
        through.objects.filter(basin_id=basin_id, **{column: other}).delete()
    through.objects.bulk_create(
        [
            through(basin_id=basin_id, **{column: other})
            for basin_id, others in wanted.items()
            for other in others - current[basin_id]
        ]
    )


def read_populations(path: Path | str) -> dict[str, int]:
    """Commune populations from the Etalab COG communes file."""
    populations = {}
    for row in read_csv(path, required=POPULATION_COLUMNS):
        if row.get("type", "commune-actuelle") != "commune-actuelle":
            continue
        if row["population"].isdigit():
            populations[row["code"]] = int(row["population"])
    return populations


def commune_to_basin_map() -> dict[str, int]:
    """Commune INSEE code -> basin id, arrondissements included."""
    mapping = dict(Commune.objects.values_list("code", "basin_id"))
    for arrondissement, commune in ARRONDISSEMENT_TO_COMMUNE.items():
        if commune in mapping:
            mapping[arrondissement] = mapping[commune]
    return mapping
