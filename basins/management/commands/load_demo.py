from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from basins import cog
from basins.enums import Role
from basins.models import Basin, Department, Membership, Region

# Real INSEE zones d'emploi 2020 (code, name, main department).
DEMO_BASINS = [
    ("8409", "Grenoble", "38"),
    ("2405", "Châteauroux", "36"),
    ("7611", "Figeac-Villefranche", "46"),
    ("8425", "Oyonnax", "01"),
    ("2714", "Montbéliard", "25"),
]
DEMO_PASSWORD = "demo-bassins-2026"  # noqa: S105 - documented demo login
# username, first name, last name, role, basin code / department / region
DEMO_USERS = [
    ("admin", "Alice", "Admin", None, None),
    ("membre.grenoble", "Marc", "Membre", Role.MEMBER, "8409"),
    ("pilote.grenoble", "Paula", "Pilote", Role.LEAD, "8409"),
    ("pilote.chateauroux", "Pierre", "Pilote", Role.LEAD, "2405"),
    ("pilote.oyonnax", "Océane", "Pilote", Role.LEAD, "8425"),
    ("pilote.figeac", "Fabien", "Pilote", Role.LEAD, "7611"),
    ("pilote.montbeliard", "Mathilde", "Pilote", Role.LEAD, "2714"),
    ("prefecture.isere", "Irène", "Préfecture", Role.REVIEWER, "dep:38"),
    ("prefecture.ara", "Rémi", "Préfecture", Role.REVIEWER, "reg:84"),
    ("prefecture.indre", "Inès", "Préfecture", Role.REVIEWER, "dep:36"),
]


def describe(role, territory) -> str:
    """« Pilote du comité de bassin — 8409 », for the list of demo logins."""
    if role is None:
        return "Administrateur (voit tous les bassins)"
    if territory.startswith("dep:"):
        code = territory[4:]
        return f"{role.label} — {cog.DEPARTMENTS[code][0]} ({code})"
    if territory.startswith("reg:"):
        return f"{role.label} — {cog.REGIONS[territory[4:]]}"
    names = {code: name for code, name, _ in DEMO_BASINS}
    return f"{role.label} — {names[territory]} ({territory})"


class Command(BaseCommand):
    help = (
        "Charge la démonstration : zones d'emploi INSEE (fichiers officiels si "
        "présents), comptes de démonstration. Idempotent : un compte existant "
        "garde son mot de passe."
    )

    def handle(self, *args, **options):
        data = settings.DATA_DIR
        zones = data / "insee_ze2020_zones_geo2023.csv"
        communes = data / "insee_ze2020_communes_geo2023.csv"
        populations = data / "etalab_cog2026_communes.csv"
        if zones.exists() and communes.exists():
            arguments = ["--zones", zones, "--communes", communes, "--wet-run"]
            if populations.exists():
                arguments += ["--populations", populations]
            call_command("import_zones", *arguments, stdout=self.stdout)
        else:
            self.stdout.write(
                f"Fichiers INSEE absents de {data} : seuls les 5 bassins de "
                "démonstration sont créés, sans leurs communes."
            )
            self._create_demo_basins()
        self._create_users()
        self.stdout.write(
            self.style.SUCCESS(
                f"Démonstration prête. Comptes (mot de passe {DEMO_PASSWORD}) :"
            )
        )
        for username, _, _, role, territory in DEMO_USERS:
            self.stdout.write(f"  {username:<20} {describe(role, territory)}")

    @transaction.atomic
    def _create_demo_basins(self):
        for code, name, department_code in DEMO_BASINS:
            department_name, region_code = cog.DEPARTMENTS[department_code]
            region, _ = Region.objects.get_or_create(
                code=region_code, defaults={"name": cog.REGIONS[region_code]}
            )
            department, _ = Department.objects.get_or_create(
                code=department_code,
                defaults={"name": department_name, "region": region},
            )
            basin, _ = Basin.objects.get_or_create(code=code, defaults={"name": name})
            basin.departments.add(department)
            basin.regions.add(region)

    @transaction.atomic
    def _create_users(self):
        User = get_user_model()
        for username, first_name, last_name, role, territory in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first_name,
                    "last_name": last_name,
                    "email": f"{username}@example.gouv.fr",
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
            if role is None:
                user.is_staff = user.is_superuser = True
            user.save()
            if role is None:
                continue
            if territory.startswith("dep:"):
                target = {"department_id": territory[4:]}
            elif territory.startswith("reg:"):
                target = {"region_id": territory[4:]}
            else:
                target = {"basin": Basin.objects.get(code=territory)}
            Membership.objects.get_or_create(user=user, role=role, **target)
