from django.db import models

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
