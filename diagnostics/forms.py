from django import forms

from diagnostics.models import ImportKind

GIB = 1024**3
MIB = 1024**2
# SIRENE stocks are big (the full one is about 8 GB; a regional extract fits);
# the indicator files are a few megabytes.
SIZE_LIMITS = {
    ImportKind.SIRENE: 2 * GIB,
    ImportKind.UNEMPLOYMENT: 50 * MIB,
    ImportKind.POPULATION: 50 * MIB,
    ImportKind.BMO: 100 * MIB,
}
UPLOAD_KINDS = [(kind.value, kind.label) for kind in SIZE_LIMITS]


def _size(size: int) -> str:
    if size >= GIB:
        return f"{size / GIB:.0f} Gio"
    return f"{size / MIB:.0f} Mio"


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label="Type de données", choices=UPLOAD_KINDS)
    file = forms.FileField(
        label="Fichier CSV",
        help_text="CSV encodé en UTF-8, colonnes séparées par des virgules, "
        "avec sa ligne d'en-tête. Taille maximale : 2 Gio pour SIRENE, "
        "50 à 100 Mio pour les indicateurs.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    vintage = forms.CharField(
        label="Millésime des données (facultatif)",
        help_text="Période ou date de référence des données, ex. « stock Sirene "
        "au 1er janvier 2026 ». À défaut, il est lu dans le fichier quand il "
        "l'indique (trimestres du chômage, année de l'enquête BMO, années de "
        "recensement, date d'un stock Sirene zippé).",
        max_length=120,
        required=False,
    )
    dry_run = forms.BooleanField(
        label="Simulation : tout vérifier et compter, sans rien enregistrer",
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        upload, kind = cleaned.get("file"), cleaned.get("kind")
        if upload is None or kind is None:
            return cleaned
        if not upload.name.lower().endswith(".csv"):
            self.add_error("file", "Le fichier doit être un CSV (extension .csv).")
        limit = SIZE_LIMITS[ImportKind(kind)]
        if upload.size > limit:
            self.add_error(
                "file",
                f"Fichier trop volumineux ({_size(upload.size)}) : "
                f"{_size(limit)} au maximum pour ce type de données.",
            )
        if upload.size == 0:
            self.add_error("file", "Le fichier est vide.")
        return cleaned
