"""The people and groups the heard/written list is searched for, and their near-name decoys.

A directory of 5,000: these targets, decoys that share a first name or a sound-alike last name
with a target but are someone else, and seeded Faker people (French and British) around them.
"""

from __future__ import annotations

import random

from faker import Faker

from accueil.core.directory import Group, Person
from accueil.core.phonetic import fold

ACCOUNT = "horizon"
SIZE = 5_000

GROUPS = {
    "grp-compta": "Comptabilité",
    "grp-rh": "Ressources humaines",
    "grp-juridique": "Juridique",
    "grp-direction": "Direction générale",
    "grp-ventes": "Ventes",
    "grp-it": "Informatique",
    "grp-maintenance": "Maintenance",
    "grp-clinique": "Clinique vétérinaire",
    "grp-logistique": "Logistique",
    "grp-export": "Export",
    "grp-achats": "Achats",
    "grp-paie": "Paie",
}

# key | first name | last name | title | group (without "grp-")
TARGETS = """
lefevre | Sophie | Lefèvre | Assistante | compta
lefebvre | Marc | Lefebvre | Commercial | ventes
rousseau | Cécile | Rousseau | Assistante de direction | direction
rousset | Cécile | Rousset | Technicienne | maintenance
moreau | Philippe | Moreau | Directeur général | direction
morel | Philippe | Morel | Magasinier | logistique
reid | Callum | Reid | Account manager | export
lee | Grace | Lee | Buyer | achats
leigh | Vivien | Leigh | Consultant | export
roy | Paul | Roy | Chauffeur | logistique
roi | Bernadette | Roi | Standardiste | direction
ng | Kevin | Ng | Développeur | it
ba | Aminata | Ba | Acheteuse | achats
sy | Ousmane | Sy | Technicien | maintenance
maurice | Maurice | Dubreuil | Contrôleur de gestion | compta
morris | Ethan | Morris | Sales executive | ventes
reece | Reece | Walker | Engineer | it
rhys | Rhys | Evans | Support analyst | it
serge | Serge | Bonnefoy | Électricien | maintenance
george | George | Harrison | Logistics manager | logistique
alice | Alice | Garnier | Juriste | juridique
leroux | Thibault | Leroux | Responsable export | export
leroux-anne | Anne | Le Roux | Ostéopathe | clinique
delatour | Anne-Sophie | de La Tour | Notaire | juridique
lacroix | Henri | Delacroix | Architecte | direction
mcdonald | Michelle | McDonald | Office manager | direction
macleod | Iain | MacLeod | Géomètre | maintenance
mckenzie | Morag | McKenzie | Traductrice | export
saintexupery | Antoine | Saint-Exupéry | Pilote | logistique
sainteclaire | Claire | Sainte-Claire | Diététicienne | clinique
obrien | Sean | O'Brien | Account manager | ventes
osullivan | Niamh | O'Sullivan | HR business partner | rh
dangelo | Marco | D'Angelo | Chef de chantier | maintenance
ndiaye | Fatou | N'Diaye | Infirmière | clinique
vanderberg | Pieter | van der Berg | Ingénieur qualité | it
dasilva | João | da Silva | Magasinier | logistique
dossantos | Ana | dos Santos | Comptable | compta
jeanphilippe | Jean-Philippe | Marchal | Directeur financier | direction
jeanpierre | Jean-Pierre | Lambert | Responsable paie | paie
stephane | Stéphane | Girard | Plombier | maintenance
emmanuel | Emmanuel | Faure | Commercial | ventes
emmanuelle | Emmanuelle | Carpentier | Juriste | juridique
frederic | Frédéric | Lemoine | Webmaster | it
nicolas | Nicolas | Perrot | Technicien | maintenance
sebastien | Sébastien | Marechal | Consultant | direction
william | William | Turner | Vétérinaire | clinique
catherine | Catherine | Fleury | Kinésithérapeute | clinique
kate | Katherine | Bell | Recruiter | rh
robert | Robert | Hughes | Finance director | compta
margaret | Margaret | Doyle | Payroll officer | paie
richard | Richard | Cooper | IT manager | it
james | James | Fletcher | Driver | logistique
elizabeth | Elizabeth | Hunt | Legal counsel | juridique
alexandre | Alexandre | Vidal | Chargé d'affaires | ventes
isabelle | Isabelle | Renard | Assistante RH | rh
valerie | Valérie | Brunet | Comptable | compta
patrick | Patrick | Gauthier | Chef d'atelier | maintenance
christophe | Christophe | Dupont | Expert-comptable | compta
dominique | Dominique | Fabre | Acheteur | achats
legoff | Yvonne | Le Goff | Secrétaire médicale | clinique
legall | Yannick | Le Gall | Commercial | ventes
kerherve | Gwenaël | Kerhervé | Chef de projet | it
quemener | Loïc | Quéméner | Responsable qualité | maintenance
gueguen | Maïwenn | Guéguen | Assistante | export
lebihan | Erwan | Le Bihan | Technicien | maintenance
morvan | Soizic | Morvan | Responsable logistique | logistique
lefloch | Tristan | Le Floc'h | Cariste | logistique
cadiou | Nolwenn | Cadiou | Juriste | juridique
schmitt | Agnès | Schmitt | Cheffe de projet | it
muller | Hans | Muller | Ingénieur | it
meyer | Léon | Meyer | Responsable achats | achats
koenig | Frieda | Koenig | Traductrice | export
schneider | Joseph | Schneider | Électricien | maintenance
hoffmann | Mathilde | Hoffmann | Contrôleuse de gestion | compta
kieffer | Aloïs | Kieffer | Comptable | compta
schaeffer | Odile | Schaeffer | Standardiste | direction
santoni | Ange | Santoni | Directeur commercial | ventes
luciani | Dominique | Luciani | Avocat | juridique
casanova | Paul-Antoine | Casanova | Commercial | ventes
colonna | Jean-Baptiste | Colonna | Responsable export | export
paoli | Marie-Ange | Paoli | Assistante | direction
pietri | Toussaint | Pietri | Magasinier | logistique
etcheverry | Peio | Etcheverry | Chef de chantier | maintenance
etxeberria | Maialen | Etxeberria | Ingénieure | it
iribarne | Gorka | Iribarne | Commercial | export
goyhenetche | Ainhoa | Goyhenetche | Juriste | juridique
irigoyen | Xabi | Irigoyen | Acheteur | achats
benali | Mohamed | Benali | Technicien | maintenance
belkacem | Nadia | Belkacem | Responsable RH | rh
bouzid | Karim | Bouzid | Développeur | it
haddad | Samir | Haddad | Administrateur réseau | it
meziane | Yasmina | Meziane | Comptable | compta
brahimi | Rachid | Brahimi | Chauffeur | logistique
cherif | Leïla | Cherif | Chargée de recrutement | rh
elamrani | Youssef | El Amrani | Consultant | direction
aitahmed | Djamel | Aït Ahmed | Cariste | logistique
diallo | Mamadou | Diallo | Comptable | compta
traore | Awa | Traoré | Assistante | ventes
kone | Ibrahim | Koné | Technicien | maintenance
diop | Cheikh | Diop | Développeur | it
sow | Mariama | Sow | Infirmière | clinique
camara | Sekou | Camara | Chauffeur | logistique
coulibaly | Adama | Coulibaly | Magasinier | logistique
ouedraogo | Issa | Ouédraogo | Ingénieur | it
keita | Salif | Keïta | Commercial | ventes
nguyen | Anh | Nguyen | Dr | clinique
tran | Minh | Tran | Analyste | compta
pham | Thi Lan | Pham | Pharmacienne | clinique
hoang | Duc | Hoang | Développeur | it
phan | Thu | Phan | Assistante | export
vu | Quang | Vu | Technicien | maintenance
dang | Linh | Dang | Juriste | juridique
ferreira | Manuel | Ferreira | Chef d'équipe | maintenance
pereira | Maria | Pereira | Assistante | rh
goncalves | Rui | Gonçalves | Carreleur | maintenance
rodrigues | Sofia | Rodrigues | Comptable | compta
carvalho | Tiago | Carvalho | Commercial | export
magalhaes | Inês | Magalhães | Responsable paie | paie
kowalski | Wojciech | Kowalski | Développeur | it
nowak | Agnieszka | Nowak | Analyste | compta
wisniewski | Krzysztof | Wiśniewski | Soudeur | maintenance
wojcik | Małgorzata | Wójcik | Traductrice | export
lewandowski | Grzegorz | Lewandowski | Logisticien | logistique
szymanski | Paweł | Szymański | Ingénieur | it
murphy | Siobhan | Murphy | Recruiter | rh
kelly | Aoife | Kelly | Marketing manager | ventes
byrne | Ciarán | Byrne | Accountant | compta
doherty | Saoirse | Doherty | Lawyer | juridique
ryan | Pádraig | Ryan | Warehouse manager | logistique
fraser | Mhairi | Fraser | Credit controller | compta
campbell | Lachlan | Campbell | Engineer | maintenance
murray | Eilidh | Murray | Receptionist | direction
ross | Ruaridh | Ross | Sales manager | ventes
chevallier | Guillaume | Chevallier | Avocat associé | juridique
marchand | François | Marchand | Maître | juridique
laurent | Geoffroy | Laurent | Juriste | juridique
renault | Jacques | Renault | Expert-comptable | compta
wright | Stephen | Wright | IT support | it
knight | Thomas | Knight | Contrôleur de gestion | compta
gaillard | Mathilde | Gaillard | Cardiologue | clinique
thompson | Rebecca | Thompson | HR business partner | rh
vasseur | Ségolène | Vasseur | Juriste | juridique
bernard | Nathalie | Bernard | Kinésithérapeute | clinique
fontaine | Grégoire | Fontaine | Avocat | juridique
masson | Hugues | Masson | Technicien | maintenance
gautier | Bernard | Gautier | Dr | clinique
lemaire | Xavier | Lemaire | Commercial | ventes
mercier | Zoé | Mercier | Stagiaire | juridique
perrin | Matthieu | Perrin | Commercial | ventes
"""

# Someone else with a near name: same first name, a sound-alike or close last name.
DECOYS = """
Sophie | Lefort
Sophie | Lefranc
Marc | Lefèbure
Cécile | Roussel
Cécile | Rousselot
Philippe | Morin
Philippe | Moret
Callum | Ross
Callum | Reynolds
Grace | Leigh-Smith
Paul | Roux
Paul | Royer
Bernadette | Roy-Martin
Kevin | Nguema
Aminata | Bah-Diallo
Ousmane | Sylla
Maurice | Dubois
Ethan | Morrison
Reece | Walsh
Rhys | Evens
Serge | Bonnefont
George | Harris
Alice | Garnie
Thibault | Rouxel
Anne | Roux
Anne | Latour
Henri | Lacroix
Michelle | Donald
Iain | McLean
Morag | Mackay
Claire | Saint-Clair
Sean | Brien
Niamh | Sullivan
Marco | Angelo
Fatou | Diaye
Pieter | Berg
João | Silva
Ana | Santos
Jean | Marchal
Pierre | Lambert
Stéphanie | Girard
Emmanuel | Favre
Frédérique | Lemoine
Nicolas | Perret
Sébastien | Maréchal
Will | Tanner
Catherine | Fleuret
Kate | Bellamy
Rob | Hughson
Peggy | Doyle-Smith
Rich | Copper
Jim | Fletch
Liz | Hunter
Alex | Vidot
Isabelle | Renaud
Valérie | Brunel
Patrick | Gautier
Christophe | Dupond
Dominique | Fabry
Yvonne | Le Gof
Yannick | Gall
Gwenaël | Kerver
Loïc | Quemeneur
Erwan | Bihan
Soizic | Morvant
Tristan | Floch
Agnès | Schmidt-Bauer
Hans | Mueller-Roth
Léon | Mayer
Ange | Santini
Dominique | Lucchini
Peio | Etchegaray
Mohamed | Benaly-Sadek
Nadia | Belkacemi
Karim | Bouziane
Mamadou | Diallo-Sow
Awa | Traore-Keita
Ibrahim | Konaté
Cheikh | Diouf
Anh | Nguyễn Văn
Minh | Trang
Duc | Hoàng-Long
Manuel | Ferrera
Maria | Pereyra
Wojciech | Kowal
Agnieszka | Nowacka
Siobhan | Murphey-Lynch
Aoife | Kelleher
Mhairi | Frazer-Innes
Guillaume | Chevalier-Roy
François | Marchant-Blanc
Jacques | Renaud
Stephen | Right-Hand
Thomas | Night
Mathilde | Gaillot
Zoé | Merciez
Matthieu | Perrot
"""

FILLER_TITLES = [
    "Assistant", "Commercial", "Chargé de clientèle", "Consultant", "Ingénieur",
    "Chef de projet", "Analyste", "Manager", "Developer", "Sales executive", "",
]  # fmt: skip


def _rows(text: str) -> list[list[str]]:
    return [[c.strip() for c in line.split("|")] for line in text.strip().splitlines()]


def people() -> list[Person]:
    """The 5,000 people: targets, decoys, then seeded Faker people."""
    out = [
        Person(ACCOUNT, key, first, last, title=title, group=f"grp-{group}")
        for key, first, last, title, group in _rows(TARGETS)
    ]
    rng = random.Random(16)
    groups = list(GROUPS)
    out += [
        Person(ACCOUNT, f"decoy{i}", first, last, title=rng.choice(FILLER_TITLES),
               group=rng.choice(groups))
        for i, (first, last) in enumerate(_rows(DECOYS))
    ]  # fmt: skip
    # No one else bears a target's last name: a pair must have one answer. The decoys are the
    # near names, on purpose.
    taken = {fold(p.last_name) for p in out[: len(_rows(TARGETS))]}
    faker = Faker(["fr_FR", "en_GB"])
    faker.seed_instance(16)
    while len(out) < SIZE:
        locale = faker["fr_FR"] if rng.random() < 0.65 else faker["en_GB"]
        first, last = locale.first_name(), locale.last_name()
        if fold(last) in taken:
            continue
        out.append(
            Person(ACCOUNT, f"p{len(out)}", first, last, title=rng.choice(FILLER_TITLES),
                   group=rng.choice(groups))
        )  # fmt: skip
    return out


def groups() -> list[Group]:
    return [Group(ACCOUNT, key, name) for key, name in GROUPS.items()]
