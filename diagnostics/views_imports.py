"""Pages to upload public data files (staff) and to read an import (everyone).

An import's page is the provenance every source line of the diagnostic links
to: any signed-in user reads what was imported, when, of which vintage and
how many rows; the file's hash and the rejected rows stay with the staff.
"""

from datetime import timedelta
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from diagnostics import provenance
from diagnostics.forms import ImportUploadForm
from diagnostics.importers import base, runs
from diagnostics.importers.validation import ImportFileError
from diagnostics.models import ImportRun, ImportStatus

PERMISSION = "diagnostics.add_importrun"


def is_import_staff(user) -> bool:
    return user.is_active and user.is_staff and user.has_perm(PERMISSION)


def staff_required(view):
    """Staff with the import permission only.

    Others get a 403 on the list and the upload form, and a 404 on a run's
    rejected rows: they are not told whether the file exists.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_import_staff(request.user):
            if "pk" in kwargs:
                raise Http404
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@require_GET
@staff_required
def import_list(request):
    base.mark_interrupted()
    runs_page = Paginator(
        ImportRun.objects.select_related("user").order_by("-created_at", "-pk"), 20
    ).get_page(request.GET.get("page"))
    oldest_pending = (
        ImportRun.objects.filter(status=ImportStatus.PENDING)
        .order_by("created_at", "pk")
        .first()
    )
    return render(
        request,
        "diagnostics/imports/list.html",
        {"page": runs_page, "waiting": _waiting(oldest_pending)},
    )


@require_http_methods(["GET", "POST"])
@staff_required
def import_upload(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = runs.store_upload(
                uploaded_file=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                user=request.user,
            )
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            facts = provenance.describe_file(
                kind=run.kind,
                path=base.resolve_path(run, None),
                declared_vintage=form.cleaned_data["vintage"],
            )
            ImportRun.objects.filter(pk=run.pk).update(
                dry_run=form.cleaned_data["dry_run"],
                vintage=facts.vintage,
                generated=facts.generated,
            )
            runs.enqueue_import(run=run)
            return redirect(run)
    status = 422 if form.is_bound else 200
    return render(
        request, "diagnostics/imports/upload.html", {"form": form}, status=status
    )


@require_GET
def import_detail(request, pk):
    """Every signed-in user: the figures of the diagnostic link here."""
    base.mark_interrupted()
    run = get_object_or_404(ImportRun.objects.select_related("user"), pk=pk)
    template = "diagnostics/imports/detail.html"
    if request.htmx and not request.htmx.boosted:
        template += "#progress"
    return render(
        request,
        template,
        {
            "run": run,
            "report": _report(run),
            "waiting": _waiting(run),
            "import_staff": is_import_staff(request.user),
        },
    )


@require_GET
@staff_required
def import_rejects(request, pk):
    run = get_object_or_404(ImportRun, pk=pk)
    if not run.rejects_file:
        raise Http404
    path = Path(run.rejects_file.path)
    if not path.is_file():
        raise Http404
    response = StreamingHttpResponse(
        _read_chunks(path), content_type="text/csv; charset=utf-8"
    )
    response["Content-Length"] = str(path.stat().st_size)
    response["Content-Disposition"] = (
        f'attachment; filename="import-{run.pk}-lignes-rejetees.csv"'
    )
    return response


def _waiting(run: ImportRun | None) -> str:
    """Why a run is still pending, once it has waited a while ("" before).

    "busy": another import is running (a worker is there, it will come to
    this one); "no_worker": nothing is running, so no worker took the queue
    (``make run`` starts one; in production, the Procfile's ``worker``).
    Runs of a killed worker are no longer "running" (mark_interrupted).
    """
    if run is None or run.status != ImportStatus.PENDING:
        return ""
    waited = timezone.now() - run.created_at
    if waited < timedelta(seconds=settings.IMPORT_WORKER_NOTICE_AFTER):
        return ""
    if ImportRun.objects.filter(status=ImportStatus.RUNNING).exists():
        return "busy"
    return "no_worker"


def _read_chunks(path: Path, size: int = 256 * 1024):
    """The file is opened only once the response is sent, and always closed."""
    with path.open("rb") as file:
        while chunk := file.read(size):
            yield chunk


def _report(run: ImportRun) -> dict:
    """Reasons with their French label, for the template."""
    report = run.report or {}
    labels = report.get("labels", {})
    return {
        "rejects": [
            (labels.get(code, code), count)
            for code, count in sorted(report.get("rejects", {}).items())
        ],
        "warnings": [
            (labels.get(code, code), count)
            for code, count in sorted(report.get("warnings", {}).items())
        ],
        "nomenclatures": sorted(report.get("nomenclatures", {}).items()),
        "unit": report.get("unit", "lignes"),
    }
