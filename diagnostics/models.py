from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

# --- NAF rév. 2 (INSEE), loaded from fixtures/naf_rev2.json by a migration ---


class NafSection(models.Model):
    code = models.CharField("code", max_length=1, primary_key=True)
    label = models.CharField("libellé", max_length=255)

    class Meta:
        verbose_name = "section NAF"
        verbose_name_plural = "sections NAF"
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} — {self.label.capitalize()}"


class NafDivision(models.Model):
    code = models.CharField("code", max_length=2, primary_key=True)
    label = models.CharField("libellé", max_length=255)
    section = models.ForeignKey(
        NafSection, on_delete=models.PROTECT, related_name="divisions"
    )

    class Meta:
        verbose_name = "division NAF"
        verbose_name_plural = "divisions NAF"
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} — {self.label}"


class NafSubclass(models.Model):
    code = models.CharField("code", max_length=6, primary_key=True)
    label = models.CharField("libellé", max_length=255)
    short_label = models.CharField("libellé court", max_length=40)
    class_code = models.CharField("classe", max_length=5)
    class_label = models.CharField("libellé de la classe", max_length=255)
    group_code = models.CharField("groupe", max_length=4)
    group_label = models.CharField("libellé du groupe", max_length=255)
    division = models.ForeignKey(
        NafDivision, on_delete=models.PROTECT, related_name="subclasses"
    )

    class Meta:
        verbose_name = "sous-classe NAF"
        verbose_name_plural = "sous-classes NAF"
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} — {self.label}"


# --- Public data imports ---------------------------------------------------


class ImportKind(models.TextChoices):
    SIRENE = "SIRENE", "Établissements SIRENE (stock INSEE)"
    UNEMPLOYMENT = "UNEMPLOYMENT", "Taux de chômage localisés (INSEE)"
    POPULATION = "POPULATION", "Population historique par zone d'emploi (INSEE)"
    BMO = "BMO", "Besoins en main-d'œuvre (France Travail)"
    ZONES = "ZONES", "Zones d'emploi et communes (INSEE)"


# Who publishes each kind of data, and the dataset, for the source lines.
PRODUCERS = {
    ImportKind.SIRENE: (
        "INSEE",
        "base Sirene des entreprises et de leurs établissements "
        "(stock des établissements)",
    ),
    ImportKind.UNEMPLOYMENT: (
        "INSEE",
        "taux de chômage localisés par zone d'emploi (trimestriels, CVS)",
    ),
    ImportKind.POPULATION: (
        "INSEE, via l'Observatoire des territoires (ANCT)",
        "population des zones d'emploi aux recensements",
    ),
    ImportKind.BMO: ("France Travail", "enquête Besoins en main-d'œuvre (BMO)"),
    ImportKind.ZONES: ("INSEE", "base des zones d'emploi 2020"),
}
GENERATED_KIND_LABELS = {
    ImportKind.SIRENE: "Établissements SIRENE (stock généré pour la démonstration)",
}
GENERATED_PRODUCER = (
    "générateur de démonstration du projet (bench/sirene.py)",
    "stock d'établissements généré au format Sirene, calé sur des agrégats "
    "nationaux publiés",
)


class ImportStatus(models.TextChoices):
    PENDING = "PENDING", "En attente"
    RUNNING = "RUNNING", "En cours"
    SUCCEEDED = "SUCCEEDED", "Terminé"
    FAILED = "FAILED", "Échec"


class ImportRunQuerySet(models.QuerySet):
    def finished(self):
        return self.filter(status__in=[ImportStatus.SUCCEEDED, ImportStatus.FAILED])


class ImportRun(models.Model):
    """One import of one public data file, with its progress and report."""

    kind = models.CharField("type de données", max_length=20, choices=ImportKind)
    file_name = models.CharField("nom du fichier", max_length=255)
    file_path = models.CharField(
        "chemin du fichier",
        max_length=500,
        blank=True,
        help_text="Relatif à MEDIA_ROOT (imports/…) ou chemin absolu "
        "pour les imports en ligne de commande.",
    )
    checksum = models.CharField("empreinte SHA-256", max_length=64, blank=True)
    size = models.BigIntegerField("taille (octets)", default=0)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="déposé par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="import_runs",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    started_at = models.DateTimeField("démarré le", null=True, blank=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)
    status = models.CharField(
        "statut", max_length=10, choices=ImportStatus, default=ImportStatus.PENDING
    )
    dry_run = models.BooleanField("simulation", default=False)
    rows_read = models.BigIntegerField("lignes lues", default=0)
    rows_total_estimate = models.BigIntegerField("lignes estimées", default=0)
    inserted = models.BigIntegerField("créées", default=0)
    updated = models.BigIntegerField("modifiées", default=0)
    unchanged = models.BigIntegerField("inchangées", default=0)
    rejected = models.BigIntegerField("rejetées", default=0)
    report = models.JSONField(
        "compte rendu",
        default=dict,
        blank=True,
        help_text="Lignes écartées ou signalées, par motif.",
    )
    error_message = models.TextField("message d'erreur", blank=True)
    rejects_file = models.FileField(
        "lignes rejetées (CSV)", upload_to="imports/rejects/", blank=True
    )
    task_id = models.CharField("identifiant de tâche", max_length=64, blank=True)
    vintage = models.CharField(
        "millésime des données",
        max_length=120,
        blank=True,
        help_text="Période ou date de référence des données elles-mêmes (ex. "
        "« enquête BMO 2024 », « stock Sirene du 1er janvier 2026 »), lue dans "
        "le fichier ou déclarée à l'import.",
    )
    generated = models.BooleanField(
        "données générées (démonstration)",
        default=False,
        help_text="Le fichier vient du générateur de démonstration du projet : "
        "ses chiffres ne décrivent aucun territoire réel.",
    )

    objects = ImportRunQuerySet.as_manager()

    class Meta:
        verbose_name = "import de données"
        verbose_name_plural = "imports de données"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.kind_label} — {self.file_name}"

    def get_absolute_url(self):
        return reverse("diagnostics:import_detail", kwargs={"pk": self.pk})

    @property
    def kind_label(self) -> str:
        """The kind of data, which for a generated stock says so."""
        if self.generated:
            return GENERATED_KIND_LABELS.get(self.kind, self.get_kind_display())
        return self.get_kind_display()

    @property
    def producer(self) -> str:
        """Who published the data ("INSEE", "France Travail"...)."""
        if self.generated:
            return GENERATED_PRODUCER[0]
        return PRODUCERS.get(self.kind, ("", ""))[0]

    @property
    def dataset(self) -> str:
        """The published dataset the file is a copy of."""
        if self.generated:
            return GENERATED_PRODUCER[1]
        return PRODUCERS.get(self.kind, ("", self.get_kind_display()))[1]

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.SUCCEEDED, ImportStatus.FAILED)

    @property
    def duration(self) -> float | None:
        """Seconds spent so far (or in total once finished)."""
        if self.started_at is None:
            return None
        end = self.finished_at or timezone.now()
        return max((end - self.started_at).total_seconds(), 0.0)

    @property
    def rate(self) -> float | None:
        """Rows read per second."""
        duration = self.duration
        if not duration:
            return None
        return self.rows_read / duration

    @property
    def percent(self) -> int:
        if self.status == ImportStatus.SUCCEEDED:
            return 100
        if not self.rows_total_estimate:
            return 0
        return min(99, int(100 * self.rows_read / self.rows_total_estimate))


# --- Imported data --------------------------------------------------------


class HeadcountBand(models.TextChoices):
    """SIRENE trancheEffectifsEtablissement codes."""

    NN = "NN", "Non employeur ou effectif inconnu"
    ZERO = "00", "0 salarié"
    B01 = "01", "1 ou 2 salariés"
    B02 = "02", "3 à 5 salariés"
    B03 = "03", "6 à 9 salariés"
    B11 = "11", "10 à 19 salariés"
    B12 = "12", "20 à 49 salariés"
    B21 = "21", "50 à 99 salariés"
    B22 = "22", "100 à 199 salariés"
    B31 = "31", "200 à 249 salariés"
    B32 = "32", "250 à 499 salariés"
    B41 = "41", "500 à 999 salariés"
    B42 = "42", "1 000 à 1 999 salariés"
    B51 = "51", "2 000 à 4 999 salariés"
    B52 = "52", "5 000 à 9 999 salariés"
    B53 = "53", "10 000 salariés et plus"


class Establishment(models.Model):
    """A SIRENE establishment (établissement), as of the last stock imported."""

    siret = models.CharField("SIRET", max_length=14, primary_key=True)
    siren = models.CharField("SIREN", max_length=9)
    created_on = models.DateField("date de création", null=True, blank=True)
    headcount_band = models.CharField(
        "tranche d'effectif", max_length=2, choices=HeadcountBand, blank=True
    )
    headcount_year = models.SmallIntegerField(
        "année de l'effectif", null=True, blank=True
    )
    naf_code = models.CharField("code APE", max_length=6, blank=True)
    naf_nomenclature = models.CharField("nomenclature APE", max_length=8, blank=True)
    naf25_code = models.CharField("code NAF 2025", max_length=7, blank=True)
    naf_division = models.CharField("division NAF rév. 2", max_length=2, blank=True)
    naf_section = models.CharField("section NAF rév. 2", max_length=1, blank=True)
    commune_code = models.CharField("code commune", max_length=5, blank=True)
    basin = models.ForeignKey(
        "basins.Basin",
        verbose_name="bassin d'emploi",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        # Indexed below (establishment_basin); the
        # import takes basin ids from the communes table in its own
        # transaction, and Django applies SET_NULL itself: a per-row
        # foreign-key trigger would only slow a 40-million-row load.
        db_index=False,
        db_constraint=False,
        related_name="establishments",
    )
    is_active = models.BooleanField("actif", default=True)
    name = models.CharField("enseigne ou dénomination", max_length=255, blank=True)
    # A hash of the raw SIRENE fields the row was made from: a re-import
    # transforms and rewrites only the rows whose hash changed.
    source_hash = models.BigIntegerField(
        "empreinte de la ligne source", null=True, blank=True, editable=False
    )
    # The import's remarks on the row (commune not placed, old nomenclature,
    # [ND] values...), one bit each: see diagnostics.importers.sirene.
    # A re-import reports them for unchanged rows without recomputing them.
    remarks = models.PositiveSmallIntegerField(
        "remarques de l'import", default=0, editable=False
    )
    import_run = models.ForeignKey(
        ImportRun,
        verbose_name="dernier import",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_index=False,
        db_constraint=False,
        related_name="+",
    )

    class Meta:
        verbose_name = "établissement"
        # Declared here rather than with db_index=True: no extra
        # varchar_pattern_ops index for each (every index slows the import).
        indexes = [
            # For the admin's filter and Django's SET_NULL when a basin goes;
            # the diagnostic reads every row in one pass and needs none.
            models.Index(fields=["basin"], name="establishment_basin"),
            models.Index(fields=["siren"], name="establishment_siren"),
        ]

    def __str__(self):
        return f"{self.siret} {self.name}".strip()


class UnemploymentRate(models.Model):
    """Quarterly localised unemployment rate of a zone d'emploi (INSEE, CVS)."""

    basin = models.ForeignKey(
        "basins.Basin", on_delete=models.CASCADE, related_name="unemployment_rates"
    )
    quarter = models.CharField("trimestre", max_length=7, help_text="ex. 2023-T3")
    period_start = models.DateField("début du trimestre")
    rate = models.DecimalField("taux de chômage (%)", max_digits=4, decimal_places=1)
    import_run = models.ForeignKey(
        ImportRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "taux de chômage localisé"
        verbose_name_plural = "taux de chômage localisés"
        ordering = ["basin", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["basin", "quarter"], name="unemployment_one_per_quarter"
            )
        ]

    def __str__(self):
        return f"{self.basin} {self.quarter} : {self.rate} %"


class PopulationCount(models.Model):
    """Population of a zone d'emploi at a census year (INSEE via ANCT)."""

    basin = models.ForeignKey(
        "basins.Basin", on_delete=models.CASCADE, related_name="population_counts"
    )
    year = models.PositiveSmallIntegerField("année")
    population = models.PositiveIntegerField("population")
    import_run = models.ForeignKey(
        ImportRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "population"
        verbose_name_plural = "populations"
        ordering = ["basin", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["basin", "year"], name="population_one_per_year"
            )
        ]

    def __str__(self):
        return f"{self.basin} {self.year} : {self.population}"


class HiringProjects(models.Model):
    """France Travail BMO hiring projects of one occupation, spread on a zone.

    projects/difficult/seasonal are None when every contributing source cell
    was confidential ("*"); confidential is True when at least one was, the
    value then being a lower bound.
    """

    basin = models.ForeignKey(
        "basins.Basin", on_delete=models.CASCADE, related_name="hiring_projects"
    )
    year = models.PositiveSmallIntegerField("année")
    occupation_code = models.CharField("code métier BMO (FAP 2021)", max_length=10)
    occupation_label = models.CharField("métier", max_length=255)
    family_code = models.CharField("famille de métiers", max_length=5, blank=True)
    family_label = models.CharField("libellé de la famille", max_length=255, blank=True)
    projects = models.FloatField("projets de recrutement", null=True, blank=True)
    difficult = models.FloatField("dont difficiles", null=True, blank=True)
    seasonal = models.FloatField("dont saisonniers", null=True, blank=True)
    confidential = models.BooleanField("secret statistique", default=False)
    import_run = models.ForeignKey(
        ImportRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "besoins en main-d'œuvre"
        verbose_name_plural = "besoins en main-d'œuvre"
        ordering = ["basin", "year", "occupation_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["basin", "year", "occupation_code"],
                name="hiring_projects_one_per_occupation",
            )
        ]

    def __str__(self):
        return f"{self.basin} {self.year} {self.occupation_label}"
