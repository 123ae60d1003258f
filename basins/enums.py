from django.db import models


class Role(models.TextChoices):
    MEMBER = "member", "Membre du comité de bassin"
    LEAD = "lead", "Pilote du comité de bassin"
    REVIEWER = "reviewer", "Référent préfecture"

    @classmethod
    def committee_roles(cls):
        return [cls.MEMBER, cls.LEAD]
