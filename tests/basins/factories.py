import factory
from django.contrib.auth import get_user_model

from basins.enums import Role
from basins.models import Basin, Commune, Department, Membership, Region


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{10 + n % 80:02d}")
    name = factory.LazyAttribute(lambda o: f"Région {o.code}")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{1 + n % 95:02d}")
    name = factory.LazyAttribute(lambda o: f"Département {o.code}")
    region = factory.SubFactory(RegionFactory)


class BasinFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Basin
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"{9000 + n % 1000:04d}")
    name = factory.Sequence(lambda n: f"Bassin {n}")

    @factory.post_generation
    def departments(self, create, extracted, **kwargs):
        if not create:
            return
        departments = extracted if extracted is not None else [DepartmentFactory()]
        for department in departments:
            self.departments.add(department)
            self.regions.add(department.region)


class CommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commune
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{10000 + n % 89999:05d}")
    name = factory.Sequence(lambda n: f"Commune {n}")
    basin = factory.SubFactory(BasinFactory)
    department = factory.LazyAttribute(lambda o: o.basin.departments.first())
    population = 1000


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Martin{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.gouv.fr")
    password = factory.django.Password("mot-de-passe-de-test")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.MEMBER
    basin = factory.SubFactory(BasinFactory)
