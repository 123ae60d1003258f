from django.db import models


class StageKind(models.IntegerChoices):
    DIAGNOSTIC = 1, "Diagnostic partagé"
    STRATEGY = 2, "Projection stratégique"
    SKILLS = 3, "Plan de montée en compétences"
    INVESTMENT = 4, "Plan d'investissement"
    NETWORK = 5, "Mise en réseau"
    MONITORING = 6, "Suivi et évaluation"


class StageStatus(models.TextChoices):
    DRAFT = "draft", "brouillon"
    SUBMITTED = "submitted", "soumise à la préfecture"
    VALIDATED = "validated", "validée"
    RETURNED = "returned", "renvoyée"

    @classmethod
    def editable(cls):
        """Statuses in which the committee may change the stage's content."""
        return [cls.DRAFT, cls.RETURNED]


class ActionStatus(models.TextChoices):
    PLANNED = "planned", "prévue"
    IN_PROGRESS = "in_progress", "en cours"
    DONE = "done", "réalisée"
    ABANDONED = "abandoned", "abandonnée"


class Level(models.IntegerChoices):
    """A four-step scale: shortage of a job, likelihood or impact of a risk."""

    LOW = 1, "faible"
    MODERATE = 2, "modérée"
    HIGH = 3, "forte"
    CRITICAL = 4, "critique"


class Priority(models.IntegerChoices):
    HIGH = 1, "1 — prioritaire"
    MEDIUM = 2, "2 — importante"
    LOW = 3, "3 — secondaire"


class SkillCategory(models.TextChoices):
    SKILLED_WORKER = "skilled_worker", "ouvrier qualifié"
    TECHNICIAN = "technician", "technicien"
    ENGINEER = "engineer", "ingénieur"
    RARE = "rare", "métier rare"


class InfrastructureKind(models.TextChoices):
    ZONE = "zone", "zone industrielle"
    FRICHE = "friche", "friche"
    LOGISTICS = "logistics", "plateforme logistique"
    RAIL = "rail", "rail"
    ROAD = "road", "route"
    PORT = "port", "port"
    ENERGY = "energy", "énergie"


class FricheStatus(models.TextChoices):
    POTENTIAL = "potential", "potentielle"
    NO_PROJECT = "no_project", "sans projet"
    WITH_PROJECT = "with_project", "avec projet"
    CONVERTED = "converted", "reconvertie"


class SocialAspect(models.TextChoices):
    MOBILITY = "mobility", "mobilité"
    HOUSING = "housing", "logement"
    COST_OF_LIVING = "cost_of_living", "coût de la vie"


class ActorKind(models.TextChoices):
    BRANCH = "branch", "branche professionnelle"
    CCI = "cci", "CCI"
    UNIVERSITY = "university", "université"
    LOCAL_AUTHORITY = "local_authority", "collectivité"
    UNION = "union", "syndicat"
    TRAINING = "training", "organisme de formation"
    FIRM = "firm", "entreprise"
    OTHER = "other", "autre"


class AxisKind(models.TextChoices):
    UPGRADE = "upgrade", "montée en gamme"
    NICHE = "niche", "niche technologique"
    COMPLEMENTARY = "complementary", "activité complémentaire"


class ProviderKind(models.TextChoices):
    CFA = "cfa", "CFA"
    UNIVERSITY = "university", "université"
    ENGINEERING_SCHOOL = "engineering_school", "école d'ingénieurs"
    SHORT = "short", "formation courte"
    RECONVERSION = "reconversion", "reconversion"


class ProjectKind(models.TextChoices):
    FRICHE = "friche", "réhabilitation de friche"
    MODULAR_ZONE = "modular_zone", "zone modulaire"
    LOGISTICS_HUB = "logistics_hub", "pôle logistique"
    SME_EQUIPMENT = "sme_equipment", "équipement PME"


class FundingKind(models.TextChoices):
    CONDITIONAL_GRANT = "conditional_grant", "subvention conditionnée"
    CO_INVESTMENT = "co_investment", "fonds de co-investissement local"
    TAX_CREDIT = "tax_credit", "crédit d'impôt"
    COOPERATION = "cooperation", "incitation à la coopération"


class PartnershipStatus(models.TextChoices):
    PROPOSED = "proposed", "proposé"
    SIGNED = "signed", "signé"
    ACTIVE = "active", "actif"
    ENDED = "ended", "terminé"


class IndicatorKind(models.TextChoices):
    JOBS_CREATED = "jobs_created", "emplois créés"
    FIRM_SURVIVAL = "firm_survival", "pérennité des entreprises"
    LOCAL_PURCHASING = "local_purchasing", "part d'achats locaux"
    CUSTOM = "custom", "autre"


class RiskKind(models.TextChoices):
    HASTE = "haste", "précipitation"
    COMPETITION = "competition", "concurrence entre bassins"
    IGNORED_COSTS = "ignored_costs", "coûts ignorés"
    CROWDING_OUT = "crowding_out", "effet d'éviction"
    OTHER = "other", "autre"


class AuthorRole(models.TextChoices):
    COMMITTEE = "committee", "comité de bassin"
    PREFECTURE = "prefecture", "préfecture"


class AuditAction(models.TextChoices):
    CREATE = "create", "création"
    UPDATE = "update", "modification"
    DELETE = "delete", "suppression"
    BULK_UPDATE = "bulk_update", "modification groupée"
    TRANSITION = "transition", "changement de statut"
    COMMENT = "comment", "commentaire"
