"""Import runs: storing an upload, queueing it, running the right importer."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from diagnostics.importers import bmo, insee, sirene
from diagnostics.importers.validation import ImportFileError
from diagnostics.models import ImportKind, ImportRun

IMPORTERS = {
    ImportKind.SIRENE: sirene.import_sirene,
    ImportKind.UNEMPLOYMENT: insee.import_unemployment,
    ImportKind.POPULATION: insee.import_population,
    ImportKind.BMO: bmo.import_bmo,
}
CHECKS = {
    ImportKind.SIRENE: sirene.check_file,
    ImportKind.UNEMPLOYMENT: insee.check_unemployment_file,
    ImportKind.POPULATION: insee.check_population_file,
    ImportKind.BMO: bmo.check_file,
}
UPLOAD_DIR = "imports/uploads"


def check_file(*, kind: str, path: Path, name: str) -> None:
    """Check a file's head for its kind; raises ImportFileError (French)."""
    check = CHECKS.get(kind)
    if check is None:
        raise ImportFileError("Ce type de données ne s'importe pas par ce formulaire.")
    check(path, name=name)


def store_upload(*, uploaded_file, kind: str, user) -> ImportRun:
    """Store an upload under MEDIA_ROOT/imports/ in chunks, check it, and
    create its pending ImportRun; a bad file is refused and not kept."""
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    safe_name = Path(uploaded_file.name).name.replace(" ", "_")[-120:]
    relative = f"{UPLOAD_DIR}/{stamp}-{uuid.uuid4().hex[:8]}-{safe_name}"
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with target.open("wb") as file:
        for chunk in uploaded_file.chunks():
            digest.update(chunk)
            size += len(chunk)
            file.write(chunk)
    try:
        check_file(kind=kind, path=target, name=uploaded_file.name)
    except ImportFileError:
        target.unlink(missing_ok=True)
        raise
    return ImportRun.objects.create(
        kind=kind,
        file_name=uploaded_file.name[:255],
        file_path=relative,
        checksum=digest.hexdigest(),
        size=size,
        user=user,
    )


def enqueue_import(*, run: ImportRun) -> ImportRun:
    """Queue the import of a stored file once the run row is committed."""
    from diagnostics.tasks import run_import

    def enqueue():
        result = run_import.enqueue(run.pk)
        ImportRun.objects.filter(pk=run.pk).update(task_id=str(result.id)[:64])

    transaction.on_commit(enqueue)
    return run


def run_import(*, run: ImportRun, dry_run: bool | None = None) -> ImportRun:
    """Run the importer matching the run's kind (synchronously)."""
    importer = IMPORTERS.get(run.kind)
    if importer is None:
        raise ImportFileError("Ce type de données ne s'importe pas ici.")
    return importer(run=run, dry_run=run.dry_run if dry_run is None else dry_run)
