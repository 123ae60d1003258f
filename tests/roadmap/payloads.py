"""Valid POST data for each item type of the registry."""

from roadmap.enums import StageKind
from roadmap.forms import item_form_class
from roadmap.models.registry import get_item_type

ACTION = {
    "owner": "",
    "start_date": "2026-01-01",
    "end_date": "2026-12-31",
    "status": "in_progress",
    "progress": "30",
}

PAYLOADS = {
    "competences": {
        "job_title": "Soudeur TIG",
        "category": "skilled_worker",
        "people_available": "5",
        "shortage_level": "3",
    },
    "infrastructures": {
        "kind": "friche",
        "name": "Friche Bouchayer",
        "area_ha": "3.5",
        "availability": "Libre en 2027",
        "friche_status": "potential",
    },
    "conditions-sociales": {"aspect": "housing", "rating": "2", "notes": "Tendu"},
    "besoins": {"title": "Foncier", "description": "Dix hectares", "priority": "1"},
    "acteurs": {
        "kind": "cci",
        "name": "CCI de Grenoble",
        "role": "Animation",
        "contact": "contact@example.fr",
        "is_sme": "",
        "is_local": "on",
        "siret": "13000548100010",
    },
    "axes": {
        "kind": "niche",
        "title": "Microélectronique",
        "rationale": "Savoir-faire local",
        "priority": "1",
        "naf_divisions": ["26", "27"],
    },
    "formations": {
        "title": "Bac pro soudure",
        "provider_kind": "cfa",
        "places": "12",
        "target_jobs": "Soudeurs",
        "axis": "",
        **ACTION,
    },
    "projets": {
        "title": "Reconversion friche",
        "kind": "friche",
        "amount": "1500000",
        "axis": "",
        **ACTION,
    },
    "financements": {
        "kind": "conditional_grant",
        "beneficiary_name": "PME Alpes",
        "project": "",
        "beneficiary_is_local": "on",
        "beneficiary_is_sme": "on",
        "amount_requested": "200000",
        "amount_obtained": "150000",
        "amount_paid": "50000",
        "local_hires_promised": "8",
        "local_purchasing_promised_pct": "40",
        "conditions": "Embauches locales",
        **ACTION,
    },
    "partenariats": {
        "contractor": "Grand groupe",
        "smes": "PME A (12345678901234)",
        "cluster": "Grappe Alpes",
        "shared_tools": "Atelier partagé",
        "partnership_status": "signed",
        **ACTION,
    },
    "indicateurs": {
        "name": "Apprentis formés",
        "kind": "custom",
        "unit": "personnes",
        "baseline": "10",
        "target": "50",
        "target_date": "2030-12-31",
        "source": "Rectorat",
    },
    "mesures": {
        "indicator": None,  # the roadmap's first seed indicator
        "measured_on": "2026-06-30",
        "value": "12",
        "comment": "Premier relevé",
        "source": "Observatoire",
    },
    "risques": {
        "kind": "competition",
        "title": "Concurrence avec Chambéry",
        "likelihood": "3",
        "impact": "2",
        "mitigation": "Coordination régionale",
        "owner": "",
    },
}

# One text field per type to change in edit tests: (field, new value).
EDITS = {
    "competences": ("job_title", "Chaudronnier"),
    "infrastructures": ("name", "Friche Allibert"),
    "conditions-sociales": ("notes", "Très tendu"),
    "besoins": ("title", "Logements"),
    "acteurs": ("name", "CCI Grenoble-Isère"),
    "axes": ("title", "Hydrogène"),
    "formations": ("title", "BTS soudage"),
    "projets": ("title", "Zone modulaire"),
    "financements": ("beneficiary_name", "PME Isère"),
    "partenariats": ("contractor", "Donneur d'ordre B"),
    "indicateurs": ("name", "Apprentis diplômés"),
    "mesures": ("comment", "Relevé corrigé"),
    "risques": ("title", "Effet d'éviction"),
}


def payload(slug, roadmap, **overrides):
    """Valid form data for a new item of ``slug`` in ``roadmap``."""
    data = {**PAYLOADS[slug], **overrides}
    if "indicator" in data and data["indicator"] is None:
        data["indicator"] = str(
            roadmap.stages.get(number=StageKind.MONITORING).indicators.first().pk
        )
    return data


def edit_payload(slug, item, roadmap, **overrides):
    """The item's own values as form data, with ``overrides``."""
    form = item_form_class(get_item_type(slug))(instance=item, roadmap=roadmap)
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, list):
            data[name] = [str(v) for v in value]
        elif isinstance(value, bool):
            data[name] = "on" if value else ""
        elif value is None:
            data[name] = ""
        else:
            data[name] = str(value)
    data.update(overrides)
    return data
