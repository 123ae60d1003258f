"""ops/backup and ops/restore on PostgreSQL (slow: CI).

The test database, with a roadmap and an import's files under MEDIA_ROOT, is
dumped; the dump is restored into a fresh database: every table has the same
row count, every sequence the same value, and the media files are the same.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from psycopg import sql

from tests.diagnostics.factories import FinishedImportRunFactory
from tests.roadmap.factories import RoadmapFactory

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="pg_dump: PostgreSQL only"
    ),
]

OPS = Path(settings.BASE_DIR) / "ops"


def url(name: str) -> str:
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgresql://{credentials}@{db['HOST']}:{db['PORT'] or 5432}/{name}"


def snapshot(database_url: str) -> tuple[dict[str, int], dict[str, int]]:
    """Row count of every table and value of every sequence (schema public)."""
    with psycopg.connect(database_url) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            )
        ]
        counts = {
            table: conn.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            ).fetchone()[0]
            for table in tables
        }
        sequences = dict(
            conn.execute(
                "SELECT sequencename, last_value FROM pg_sequences "
                "WHERE schemaname = 'public'"
            ).fetchall()
        )
    return counts, sequences


def files(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def ops(script: str, *args, database_url: str, media: Path):
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_MEDIA_ROOT": str(media)}
    return subprocess.run(
        [str(OPS / script), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def restore_database():
    name = f"{connection.settings_dict['NAME']}_restore"
    with psycopg.connect(url("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield url(name)
    with psycopg.connect(url("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_restores_into_a_fresh_database(
    territory, lead, settings, tmp_path, restore_database
):
    settings.MEDIA_ROOT = tmp_path / "media"
    RoadmapFactory(basin=territory["grenoble"])
    FinishedImportRunFactory()
    (settings.MEDIA_ROOT / "imports" / "uploads").mkdir(parents=True)
    (settings.MEDIA_ROOT / "imports" / "uploads" / "chomage.csv").write_text(
        "ZE2020,LIBZE2020,2023-T2\n0051,Alençon,6.4\n", encoding="utf-8"
    )
    source = url(connection.settings_dict["NAME"])

    backup = ops(
        "backup",
        str(tmp_path / "backups"),
        database_url=source,
        media=settings.MEDIA_ROOT,
    )
    assert backup.returncode == 0, backup.stderr
    folder = Path(backup.stdout.strip())
    assert sorted(p.name for p in folder.iterdir()) == [
        "SHA256SUMS",
        "database.dump",
        "media.tar.gz",
    ]

    restored_media = tmp_path / "restored-media"
    restore = ops(
        "restore", str(folder), database_url=restore_database, media=restored_media
    )
    assert restore.returncode == 0, restore.stderr

    counts, sequences = snapshot(source)
    assert counts["basins_basin"] >= 3
    assert counts["roadmap_roadmap"] == 1
    assert counts["diagnostics_importrun"] == 1
    assert snapshot(restore_database) == (counts, sequences)
    assert files(restored_media) == files(settings.MEDIA_ROOT)
    assert len(files(restored_media)) == 2

    again = ops(
        "restore", str(folder), database_url=restore_database, media=restored_media
    )
    assert again.returncode == 1
    assert "restaurez dans une base vide" in again.stderr


def test_a_tampered_backup_is_refused(tmp_path, restore_database):
    folder = tmp_path / "backup"
    folder.mkdir()
    sums = ""
    for name, content in (("database.dump", b"PGDMP"), ("media.tar.gz", b"")):
        (folder / name).write_bytes(content)
        sums += f"{hashlib.sha256(content).hexdigest()}  {name}\n"
    (folder / "SHA256SUMS").write_text(sums)
    (folder / "database.dump").write_bytes(b"PGDMP altered")

    result = ops(
        "restore", str(folder), database_url=restore_database, media=tmp_path / "media"
    )

    assert result.returncode != 0
    assert snapshot(restore_database) == ({}, {})
