"""Project-level app configs."""

from django.contrib.staticfiles.apps import StaticFilesConfig


class PublishedStaticFilesConfig(StaticFilesConfig):
    """Static files: publish only what the pages load.

    django-dsfr and django-htmx ship whole distributions (the DSFR's
    per-component builds, legacy and print variants, every htmx version and
    extension, unminified copies): ``collectstatic`` skips them. The pages use
    the DSFR's ``dsfr.min.css`` and ``utility.min.css`` with the fonts and
    icons they reference (the manifest storage fails on a missing one), its
    module/nomodule scripts and favicons, and htmx 2 minified: a template
    that starts using another file (a DSFR pictogram, an htmx extension)
    removes its pattern here. ``tests/test_static.py`` checks the list.
    """

    ignore_patterns = [
        *StaticFilesConfig.ignore_patterns,
        "README.md",
        "*.map",
        # DSFR: per-component and per-layer builds, legacy and print variants.
        "dsfr/dist/analytics/*",
        "dsfr/dist/artwork/*",
        "dsfr/dist/component/*",
        "dsfr/dist/core/*",
        "dsfr/dist/layout/*",
        "dsfr/dist/legacy/*",
        "dsfr/dist/scheme/*",
        "dsfr/dist/dsfr.*",
        "dsfr/dist/dsfr/dsfr.legacy.min.css",
        "dsfr/dist/dsfr/dsfr.main.min.css",
        "dsfr/dist/utility/utility.*.min.css",
        "dsfr/dist/utility/colors/*",
        "dsfr/dist/utility/icons/*.css",
        "dsfr/dist/utility/pictograms/*",
        "django-dsfr/*",
        "css/dsfr-code.css",
        # htmx: version 2, minified, only.
        "django_htmx/ext/*",
        "django_htmx/django-htmx.js",
        "django_htmx/htmax-*",
        "django_htmx/htmx-4*",
        "django_htmx/htmx-2.js",
    ]
