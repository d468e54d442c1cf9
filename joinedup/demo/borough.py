"""The demo borough of Thameside: localities, organisations, teams and practitioners.

Fictional throughout: ODS-like codes begin with X, postcodes use the area XT,
e-mail addresses end in .example and phone numbers are in Ofcom's drama range.
Usernames say who people are: `olivia.ot` is the occupational therapist of
Northgate, `sam.ot` the one of Southmere (who cannot see Olivia's clients).
The tables below are data: kept one row a line (`fmt: off`) to be read as tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.models import Group, Permission

from joinedup.core.roles import Role
from joinedup.directory.models import (
    Locality,
    Organisation,
    OrganisationKind,
    Practitioner,
    Sector,
    Service,
    Team,
    TeamKind,
    TeamMembership,
)

BOROUGH = "Thameside"
EMAIL_DOMAIN = "thameside.example"
# The marker of the demo borough: `seed-demo --if-empty` skips a database where it exists.
MARKER_ODS_CODE = "XTA"


@dataclass(frozen=True)
class LocalitySpec:
    code: str
    name: str
    districts: tuple[str, ...]
    practices: tuple[tuple[str, str], ...]  # (ODS code, name)


# fmt: off
LOCALITIES = (
    LocalitySpec("northgate", "Northgate", ("XT1", "XT2", "XT3"), (
        ("X81001", "Wharfside Surgery"), ("X81002", "Northgate Medical Centre"),
        ("X81003", "Lantern Road Practice"))),
    LocalitySpec("riverside", "Riverside", ("XT4", "XT5", "XT6"), (
        ("X82001", "Riverside Health Centre"), ("X82002", "Barge Walk Surgery"),
        ("X82003", "Tidemill Family Practice"), ("X82004", "Heron Reach Medical Practice"))),
    LocalitySpec("southmere", "Southmere", ("XT7", "XT8"), (
        ("X83001", "Southmere Group Practice"), ("X83002", "Marshgate Surgery"))),
)

# key, ODS code, sector, kind, name
ORGANISATIONS = (
    ("acute", "XTA", Sector.HEALTH, OrganisationKind.ACUTE_TRUST,
     "Thameside University Hospitals NHS Trust"),
    ("community", "XTC", Sector.HEALTH, OrganisationKind.COMMUNITY_PROVIDER,
     "Thameside Community Health NHS Trust"),
    ("mental_health", "XTM", Sector.HEALTH, OrganisationKind.MENTAL_HEALTH_TRUST,
     "Thameside and Riverbank Mental Health NHS Foundation Trust"),
    ("adult_social_care", "XLA01", Sector.SOCIAL_CARE, OrganisationKind.ADULT_SOCIAL_CARE,
     "London Borough of Thameside Adult Social Care"),
    ("childrens_services", "XLA02", Sector.SOCIAL_CARE, OrganisationKind.CHILDRENS_SERVICES,
     "London Borough of Thameside Children's Services"),
    ("voluntary", "XV001", Sector.VOLUNTARY, OrganisationKind.VOLUNTARY,
     "Thameside Connect (charity)"),
    ("housing", "XH001", Sector.HOUSING, OrganisationKind.HOUSING, "Thameside Homes"),
)
# fmt: on


@dataclass(frozen=True)
class TeamSpec:
    key: str  # "<locality>:<suffix>" for locality teams
    name: str
    service: str
    organisation: str
    duty_worker: str  # username
    manager: str
    locality: str | None = None

    @property
    def kind(self) -> str:
        return TeamKind.MDT if self.service == Service.MDT else TeamKind.SERVICE


# fmt: off
# suffix, name ("{}" = the locality), service, organisation, duty worker, manager ("@x": local x)
_LOCALITY_TEAMS = (
    ("mdt", "{} MDT", Service.MDT, "community", "@mdt", "@manager"),
    ("therapy", "{} Community Therapy", Service.COMMUNITY_THERAPY, "community", "@physio",
     "@manager"),
    ("district_nursing", "{} District Nursing", Service.DISTRICT_NURSING, "community", "@dn",
     "@manager"),
    ("cmht", "{} Community Mental Health Team", Service.COMMUNITY_MENTAL_HEALTH, "mental_health",
     "@mh", "martin.manager"),
    ("social_work", "{} Adult Social Work", Service.ADULT_SOCIAL_WORK, "adult_social_care", "@sw",
     "amanda.manager"),
)
_BOROUGH_TEAMS = (
    TeamSpec("rapid_response", "Thameside Rapid Response", Service.RAPID_RESPONSE, "community",
             "rosa.rapid", "rachel.manager"),
    TeamSpec("reablement", "Thameside Reablement", Service.REABLEMENT, "adult_social_care",
             "ruby.reablement", "ellen.manager"),
    TeamSpec("memory", "Thameside Memory Service", Service.MEMORY_SERVICE, "mental_health",
             "meera.memory", "martin.manager"),
    TeamSpec("brokerage", "Thameside Brokerage", Service.BROKERAGE, "adult_social_care",
             "bella.broker", "bryony.manager"),
    TeamSpec("childrens", "Thameside Children's Social Work", Service.CHILDRENS_SOCIAL_WORK,
             "childrens_services", "chris.csw", "kate.manager"),
    TeamSpec("social_prescribing", "Thameside Connect Social Prescribing",
             Service.SOCIAL_PRESCRIBING, "voluntary", "val.support", "val.support"),
    TeamSpec("discharge", "Thameside Hospital Discharge Team", Service.INTEGRATION, "acute",
             "dan.discharge", "dan.discharge"),
)
# fmt: on


@dataclass(frozen=True)
class PersonSpec:
    username: str
    first_name: str
    last_name: str
    profession: str
    organisation: str  # organisation key, or a GP practice's ODS code
    job_title: str
    roles: tuple[Role, ...]
    teams: tuple[tuple[str, str], ...]  # (team key, role in team)
    is_staff: bool = False


P, TM, MDTC, ONCALL = Role.PRACTITIONER, Role.TEAM_MANAGER, Role.MDT_COORDINATOR, Role.ON_CALL
# fmt: off
# suffix, profession, organisation ("@gp": the locality's first practice), job title, roles, teams
_LOCALITY_STAFF = (
    ("ot", "occupational_therapist", "community", "Occupational therapist", (P,),
     (("therapy", "Occupational therapist"),)),
    ("physio", "physiotherapist", "community", "Physiotherapist", (P,),
     (("therapy", "Physiotherapist"),)),
    ("dn", "district_nurse", "community", "District nursing sister", (P,),
     (("district_nursing", "District nurse"), ("mdt", "District nurse"))),
    ("nurse", "community_nurse", "community", "Community staff nurse", (P,),
     (("district_nursing", "Community nurse"),)),
    ("sw", "social_worker", "adult_social_care", "Social worker", (P,),
     (("social_work", "Social worker"), ("mdt", "Social worker"))),
    ("mh", "mental_health_practitioner", "mental_health", "Community mental health nurse", (P,),
     (("cmht", "Care coordinator"), ("mdt", "Mental health practitioner"))),
    ("gp", "gp", "@gp", "GP partner", (P,), (("mdt", "GP"),)),
    ("mdt", "coordinator", "community", "Locality MDT coordinator", (P, MDTC),
     (("mdt", "MDT coordinator"),)),
    ("manager", "manager", "community", "Integrated locality manager", (P, TM),
     (("therapy", "Team manager"), ("district_nursing", "Team manager"),
      ("mdt", "Locality manager"))),
)
# Per locality, the names of its staff in the order of _LOCALITY_STAFF.
_LOCALITY_PEOPLE = {
    "northgate": ("Olivia Okafor", "Paul Whitfield", "Diane Marsh", "Connor Healy",
                  "Sophie Brennan", "Marcus Reid", "Gita Rao", "Mia Fletcher", "Nadia Hussain"),
    "riverside": ("Omar Haddad", "Priya Nair", "Dev Chauhan", "Chloe Barnes", "Sean Gallagher",
                  "Mei Lin", "George Mensah", "Ruth Okoye", "Neil Jordan"),
    "southmere": ("Sam Kowalczyk", "Phoebe Lane", "Dorothy Amoah", "Callum Finch",
                  "Sara Lindqvist", "Malik Osei", "Grace Whitmore", "Tom Baptiste", "Nina Petrova"),
}
_MENTAL_HEALTH_TEAMS = "northgate:cmht riverside:cmht southmere:cmht memory"
_SOCIAL_WORK_TEAMS = "northgate:social_work riverside:social_work southmere:social_work"
# username, name, profession, organisation, job title, roles, teams (space-separated)
_BOROUGH_STAFF = (
    ("rosa.rapid", "Rosa Mendes", "community_nurse", "community",
     "Urgent community response nurse", (P,), "rapid_response"),
    ("ravi.rapid", "Ravi Sandhu", "physiotherapist", "community",
     "Urgent response physiotherapist", (P,), "rapid_response"),
    ("owen.oncall", "Owen Price", "community_nurse", "community",
     "Advanced nurse practitioner (on call)", (P, ONCALL), "rapid_response"),
    ("rachel.manager", "Rachel Adeyemi", "manager", "community",
     "Urgent care manager", (P, TM), "rapid_response"),
    ("ruby.reablement", "Ruby Thompson", "reablement_worker", "adult_social_care",
     "Reablement support worker", (P,), "reablement"),
    ("reggie.reablement", "Reggie Campbell", "reablement_worker", "adult_social_care",
     "Reablement support worker", (P,), "reablement"),
    ("ellen.manager", "Ellen Doyle", "manager", "adult_social_care",
     "Reablement manager", (P, TM), "reablement"),
    ("meera.memory", "Meera Joshi", "mental_health_practitioner", "mental_health",
     "Memory nurse specialist", (P,), "memory"),
    ("arjun.psychiatrist", "Arjun Mehta", "psychiatrist", "mental_health",
     "Consultant old age psychiatrist", (P,), "memory"),
    ("martin.manager", "Martin Kelly", "manager", "mental_health",
     "Community mental health manager", (P, TM), _MENTAL_HEALTH_TEAMS),
    ("bella.broker", "Bella Nowak", "care_broker", "adult_social_care",
     "Care broker", (P,), "brokerage"),
    ("ben.broker", "Ben Asante", "care_broker", "adult_social_care",
     "Care broker", (P,), "brokerage"),
    ("bryony.manager", "Bryony Hale", "manager", "adult_social_care",
     "Brokerage manager", (P, TM), "brokerage"),
    ("chris.csw", "Chris Ogunleye", "social_worker", "childrens_services",
     "Children's social worker", (P,), "childrens"),
    ("carla.csw", "Carla Santos", "social_worker", "childrens_services",
     "Children's social worker", (P,), "childrens"),
    ("kate.manager", "Kate Winslow", "manager", "childrens_services",
     "Children's social work team manager", (P, TM), "childrens"),
    ("amanda.manager", "Amanda Cole", "manager", "adult_social_care",
     "Adult social work team manager", (P, TM), _SOCIAL_WORK_TEAMS),
    ("phil.pharmacist", "Phil Dempsey", "pharmacist", "X81001",
     "Primary care network pharmacist", (P,), "northgate:mdt riverside:mdt"),
    ("fatima.pharmacist", "Fatima Begum", "pharmacist", "X83001",
     "Primary care network pharmacist", (P,), "southmere:mdt"),
    ("val.support", "Val Morrison", "support_worker", "voluntary",
     "Community connector", (Role.SUPPORT_WORKER,), "social_prescribing"),
    ("harry.housing", "Harry Quinn", "housing_officer", "housing",
     "Housing and wellbeing officer", (Role.SUPPORT_WORKER,), "social_prescribing"),
    ("dan.discharge", "Dan Kowalski", "coordinator", "acute",
     "Discharge coordinator", (P,), "discharge"),
    ("carol.commissioner", "Carol Ashworth", "commissioner", "adult_social_care",
     "Integrated care commissioner", (Role.COMMISSIONER,), ""),
    ("adam.admin", "Adam Fairbrother", "administrator", "community",
     "JoinedUp system administrator", (Role.SYSTEM_ADMINISTRATOR,), ""),
    ("irene.ig", "Irene Grant", "manager", "community",
     "Information governance lead", (Role.INFORMATION_GOVERNANCE_LEAD,), ""),
)
# fmt: on
# What a system administrator manages in the Django admin: the directory, and sign-in attempts
# (django-axes), to see who was locked out and to unlock them.
SYSTEM_ADMINISTRATION_APPS = ("directory", "axes")
_STAFF_ACCOUNTS = frozenset({"adam.admin"})  # is_staff: the Django admin, for the directory only


def _username(name: str, suffix: str) -> str:
    return f"{name.split()[0].lower()}.{suffix}"


def _locality_people(spec: LocalitySpec) -> list[PersonSpec]:
    people = []
    names = _LOCALITY_PEOPLE[spec.code]
    for (suffix, profession, org, title, roles, teams), name in zip(_LOCALITY_STAFF, names, strict=True):
        first, last = name.split(" ", 1)
        organisation = spec.practices[0][0] if org == "@gp" else org
        keys = tuple((f"{spec.code}:{team}", role) for team, role in teams)
        username = _username(name, suffix)
        people.append(PersonSpec(username, first, last, profession, organisation, title, roles, keys))
    return people


def _borough_people() -> list[PersonSpec]:
    people = []
    for username, name, profession, organisation, title, roles, teams in _BOROUGH_STAFF:
        first, last = name.split(" ", 1)
        keys = tuple((team, title) for team in teams.split())
        staff = username in _STAFF_ACCOUNTS
        people.append(PersonSpec(username, first, last, profession, organisation, title, roles, keys, staff))
    return people


def _locality_teams(spec: LocalitySpec) -> list[TeamSpec]:
    names = _LOCALITY_PEOPLE[spec.code]
    staff = {f"@{row[0]}": _username(name, row[0]) for row, name in zip(_LOCALITY_STAFF, names, strict=True)}
    return [
        TeamSpec(
            f"{spec.code}:{suffix}",
            pattern.format(spec.name),
            service,
            organisation,
            staff.get(duty, duty),
            staff.get(manager, manager),
            spec.code,
        )
        for suffix, pattern, service, organisation, duty, manager in _LOCALITY_TEAMS
    ]


PEOPLE: tuple[PersonSpec, ...] = (
    *(person for spec in LOCALITIES for person in _locality_people(spec)),
    *_borough_people(),
)
TEAMS: tuple[TeamSpec, ...] = (
    *(team for spec in LOCALITIES for team in _locality_teams(spec)),
    *_BOROUGH_TEAMS,
)
DEMO_USERNAMES: tuple[str, ...] = tuple(person.username for person in PEOPLE)


@dataclass
class BuiltBorough:
    """The rows the borough was built with, by key, for the population to refer to."""

    localities: dict[str, Locality] = field(default_factory=dict)
    organisations: dict[str, Organisation] = field(default_factory=dict)  # practices by ODS code
    teams: dict[str, Team] = field(default_factory=dict)
    people: dict[str, Practitioner] = field(default_factory=dict)
    members: dict[str, list[str]] = field(default_factory=dict)  # team key -> usernames


def _phone(number: int) -> str:
    return f"020 7946 0{number % 1000:03d}"  # Ofcom's range for drama


def _build_places(built: BuiltBorough) -> None:
    for spec in LOCALITIES:
        built.localities[spec.code] = Locality.objects.create(
            code=spec.code, name=spec.name, postcode_districts=", ".join(spec.districts)
        )
    for key, ods, sector, kind, name in ORGANISATIONS:
        built.organisations[key] = Organisation.objects.create(ods_code=ods, name=name, sector=sector, kind=kind)
    for spec in LOCALITIES:
        for ods, name in spec.practices:
            built.organisations[ods] = Organisation.objects.create(
                ods_code=ods, name=name, sector=Sector.HEALTH, kind=OrganisationKind.GP_PRACTICE,
                locality=built.localities[spec.code],
            )  # fmt: skip


def _build_people(built: BuiltBorough, password_hash: str) -> None:
    groups = {group.name: group for group in Group.objects.filter(name__in=list(Role))}
    for number, spec in enumerate(PEOPLE, start=100):
        person = Practitioner.objects.create(
            username=spec.username, first_name=spec.first_name, last_name=spec.last_name,
            email=f"{spec.username}@{EMAIL_DOMAIN}", password=password_hash,
            profession=spec.profession, organisation=built.organisations[spec.organisation],
            job_title=spec.job_title, phone=_phone(number), is_staff=spec.is_staff,
        )  # fmt: skip
        person.groups.set([groups[role.value] for role in spec.roles])
        built.people[spec.username] = person
    administration = Permission.objects.filter(content_type__app_label__in=SYSTEM_ADMINISTRATION_APPS)
    for spec in PEOPLE:
        if spec.is_staff:  # the directory and sign-in lock-outs: a system administrator never sees client records
            built.people[spec.username].user_permissions.set(administration)


def _build_teams(built: BuiltBorough, as_of: date) -> None:
    for number, spec in enumerate(TEAMS, start=500):
        built.teams[spec.key] = Team.objects.create(
            name=spec.name, kind=spec.kind, service=spec.service,
            locality=built.localities[spec.locality] if spec.locality else None,
            organisation=built.organisations[spec.organisation],
            email=f"{spec.key.replace(':', '.').replace('_', '-')}@{EMAIL_DOMAIN}",
            phone=_phone(number), duty_worker=built.people[spec.duty_worker],
            manager=built.people[spec.manager],
        )  # fmt: skip
    since = as_of - timedelta(days=730)
    memberships = []
    for person in PEOPLE:
        for key, role_in_team in person.teams:
            built.members.setdefault(key, []).append(person.username)
            practitioner = built.people[person.username]
            memberships.append(
                TeamMembership(
                    team=built.teams[key],
                    practitioner=practitioner,
                    role_in_team=role_in_team,
                    since=since,
                )
            )
    TeamMembership.objects.bulk_create(memberships)


def build_borough(password_hash: str, as_of: date) -> BuiltBorough:
    """Create the localities, organisations, people and teams, in the caller's transaction."""
    built = BuiltBorough()
    _build_places(built)
    _build_people(built, password_hash)
    _build_teams(built, as_of)
    return built


def borough_exists() -> bool:
    return Organisation.objects.filter(ods_code=MARKER_ODS_CODE).exists()
