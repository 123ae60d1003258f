"""Factories for the diagnostic computations (establishments and indicators)."""

import datetime

import factory
from django.utils import timezone

from bench.sirene import luhn_complete
from diagnostics.models import (
    Establishment,
    HiringProjects,
    ImportKind,
    ImportRun,
    ImportStatus,
    PopulationCount,
    UnemploymentRate,
)
from tests.basins.factories import BasinFactory


class ImportRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportRun

    kind = ImportKind.SIRENE
    file_name = factory.LazyAttribute(lambda o: f"{o.kind.lower()}.csv")
    status = ImportStatus.SUCCEEDED
    started_at = factory.LazyFunction(timezone.now)
    finished_at = factory.LazyFunction(timezone.now)


def _siret(n):
    siren = luhn_complete(f"{100000 + n:08d}")
    return luhn_complete(f"{siren}0001")


class EstablishmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Establishment

    siret = factory.Sequence(_siret)
    siren = factory.LazyAttribute(lambda o: o.siret[:9])
    created_on = datetime.date(2015, 3, 1)
    headcount_band = "01"
    headcount_year = 2023
    naf_code = "25.62B"
    naf_nomenclature = "NAFRev2"
    naf_division = factory.LazyAttribute(lambda o: o.naf_code[:2])
    naf_section = "C"
    commune_code = "38185"
    basin = factory.SubFactory(BasinFactory)
    is_active = True
    name = factory.Sequence(lambda n: f"ATELIER {n}")


class UnemploymentRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnemploymentRate

    basin = factory.SubFactory(BasinFactory)
    quarter = "2023-T3"
    period_start = datetime.date(2023, 7, 1)
    rate = "7.1"


class PopulationCountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PopulationCount

    basin = factory.SubFactory(BasinFactory)
    year = 2020
    population = 100_000


class HiringProjectsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HiringProjects

    basin = factory.SubFactory(BasinFactory)
    year = 2024
    occupation_code = factory.Sequence(lambda n: f"A0X{n:02d}")
    occupation_label = "Agriculteurs"
    family_code = "A"
    family_label = "Agriculture, marine, pêche"
    projects = 100.0
    difficult = 40.0
    seasonal = 10.0
