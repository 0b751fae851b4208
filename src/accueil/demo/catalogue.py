"""What a plausible answering-service clientele looks like: trades, their groups, titles, hours.

Data only. ``{last}``, ``{last2}`` and ``{city}`` in names are filled from Faker.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Trade:
    """A kind of client business, in one country."""

    country: str
    names: tuple[str, ...]
    groups: tuple[tuple[str, str], ...]  # (key, name)
    titles: tuple[str, ...]
    hours: tuple[str, ...]
    notes: tuple[str, ...]


FR_TRADES = (
    Trade(
        "FR",
        ("Cabinet {last}", "{last} & {last2} Avocats", "SCP {last}-{last2}"),
        (
            ("associes", "Associés"),
            ("collaborateurs", "Collaborateurs"),
            ("secretariat", "Secrétariat"),
        ),
        (
            "Avocat associé",
            "Avocate associée",
            "Avocat collaborateur",
            "Juriste",
            "Assistante juridique",
        ),
        ("mon-fri 09:00-12:30,14:00-19:00", "mon-fri 09:00-18:00"),
        (
            "Ne jamais confirmer un rendez-vous au tribunal par téléphone.",
            "Clients VIP : prévenir Maître par SMS.",
        ),
    ),
    Trade(
        "FR",
        ("Cabinet dentaire {last}", "Centre médical de {city}", "Cabinet de kinésithérapie {last}"),
        (("praticiens", "Praticiens"), ("accueil", "Accueil")),
        (
            "Chirurgien-dentiste",
            "Médecin généraliste",
            "Kinésithérapeute",
            "Assistante dentaire",
            "Secrétaire médicale",
        ),
        ("mon-fri 08:30-12:00,13:30-19:30; sat 09:00-12:00", "mon-fri 08:00-20:00"),
        ("Urgence vitale : orienter vers le 15.", "Prise de rendez-vous sur l'agenda partagé."),
    ),
    Trade(
        "FR",
        ("Plomberie {last}", "{last} Chauffage Sanitaire", "Dépannage {city} Plomberie"),
        (("depannage", "Dépannage"), ("devis", "Devis et chantiers")),
        ("Artisan plombier", "Chauffagiste", "Technicien", "Gérant"),
        ("mon-fri 08:00-19:00; sat 08:00-12:00", "mon-sat 07:30-20:00"),
        (
            "Fuite d'eau : proposer une intervention sous 2 h.",
            "Demander l'adresse complète et le digicode.",
        ),
    ),
    Trade(
        "FR",
        ("Agence immobilière {city}", "{last} Immobilier", "Immo {city} Conseil"),
        (("transaction", "Transaction"), ("location", "Location"), ("gestion", "Gestion locative")),
        ("Négociateur", "Négociatrice", "Gestionnaire locatif", "Directeur d'agence"),
        ("mon-sat 09:30-12:30,14:00-19:00", "tue-sat 09:00-19:00"),
        (
            "Visites : noter le bien et les disponibilités.",
            "Ne pas communiquer le prix de vente sans accord.",
        ),
    ),
    Trade(
        "FR",
        ("Expertise comptable {last}", "Cabinet {last} Audit", "{last} & Associés Conseil"),
        (
            ("expertise", "Expertise comptable"),
            ("social", "Social et paie"),
            ("juridique", "Juridique"),
        ),
        ("Expert-comptable", "Collaborateur comptable", "Gestionnaire de paie", "Juriste"),
        ("mon-fri 09:00-12:30,14:00-18:00", "mon-thu 09:00-18:00; fri 09:00-17:00"),
        (
            "Période fiscale : messages en priorité haute.",
            "Ne jamais donner d'information sur un dossier.",
        ),
    ),
    Trade(
        "FR",
        ("Clinique vétérinaire de {city}", "Vétérinaires {last}"),
        (("veterinaires", "Vétérinaires"), ("accueil", "Accueil")),
        ("Docteur vétérinaire", "Auxiliaire vétérinaire", "ASV"),
        ("mon-fri 08:30-19:00; sat 09:00-17:00", "mon-sat 08:00-20:00"),
        ("Urgence animale : passer l'appel au vétérinaire de garde.",),
    ),
)

GB_TRADES = (
    Trade(
        "GB",
        ("{last} & {last2} Solicitors", "{last} Law LLP"),
        (("partners", "Partners"), ("associates", "Associates")),
        ("Partner", "Associate Solicitor", "Paralegal", "Legal Secretary"),
        ("mon-fri 09:00-17:30",),
        ("Never confirm court dates over the phone.",),
    ),
    Trade(
        "GB",
        ("{city} Dental Practice", "{last} Family Dentists"),
        (("clinicians", "Clinicians"), ("reception", "Reception")),
        ("Dentist", "Hygienist", "Practice Manager", "Dental Nurse"),
        ("mon-fri 08:00-18:00; sat 09:00-13:00",),
        ("Dental emergencies: offer the next emergency slot.",),
    ),
    Trade(
        "GB",
        ("{last} Plumbing & Heating", "{city} Emergency Plumbers"),
        (("callouts", "Call-outs"), ("quotes", "Quotes")),
        ("Plumber", "Gas Engineer", "Director"),
        ("mon-fri 07:30-18:00; sat 08:00-12:00",),
        ("Gas smell: tell the caller to ring 0800 111 999.",),
    ),
    Trade(
        "GB",
        ("{last} Estate Agents", "{city} Lettings"),
        (("sales", "Sales"), ("lettings", "Lettings")),
        ("Branch Manager", "Lettings Negotiator", "Sales Negotiator"),
        ("mon-sat 09:00-17:30",),
        ("Viewings: take the property reference.",),
    ),
)

GREETING = {"FR": "{name}, bonjour", "GB": "Thank you for calling {name}"}
PART_TIME = ("mon-thu 09:00-17:00", "tue-fri 08:30-16:30", "mon,tue,thu 09:00-18:00")
SUBDIVISIONS = {
    "FR": ("", "", "", "", "", "", "", "", "57", "67", "68"),
    "GB": ("ENG", "ENG", "SCT"),
}
COLOURS = ("#4a6fa5", "#2e8b57", "#b8860b", "#8b3a62", "#5f6f7f", "#c0504d", "#1f7a8c", "#7a5c99")
SITES = (("paris", 4), ("lyon", 3), ("home", 3))  # two sites and home, with weights
TIERS = (("premium", 2, (10, 15)), ("standard", 6, (20, 25, 30)), ("economy", 2, (40, 60)))
