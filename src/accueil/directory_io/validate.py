"""Validating a whole directory file at once: every problem found, or a plan to apply.

Records are read field by field (``fields``), then checked against each other and against what
the database already holds (``Known``): unknown accounts, groups and people, keys written
twice, numbers claimed twice. Nothing is applied unless the whole file is right.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from accueil.core.directory import (
    Account,
    Agent,
    Device,
    DeviceKind,
    Group,
    Number,
    Person,
    Tier,
    Training,
)
from accueil.directory_io import fields as f
from accueil.directory_io.records import Kind, Record
from accueil.directory_io.schema import (
    DEFAULT_HOURS,
    FIELDS,
    REQUIRED,
    TARGET_SECONDS,
    default_languages,
    default_timezone,
)
from accueil.errors import Problem, ValidationFailed, says

T = TypeVar("T")


@dataclass(frozen=True)
class Known:
    """What the database already holds, as far as validating a file needs it."""

    countries: Mapping[str, str] = field(default_factory=dict)  # account key -> country
    languages: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # account key ->
    groups: frozenset[tuple[str, str]] = frozenset()  # (account key, group key)
    people: frozenset[tuple[str, str]] = frozenset()  # (account key, person key)
    numbers: Mapping[str, str] = field(default_factory=dict)  # e164 -> account key
    agents: frozenset[str] = frozenset()


@dataclass
class Plan:
    """A validated directory file: what it says, ready to be compared with the database."""

    accounts: list[Account] = field(default_factory=list)
    inactive_accounts: set[str] = field(default_factory=set)
    groups: list[Group] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    numbers: list[Number] = field(default_factory=list)
    agents: list[Agent] = field(default_factory=list)
    kinds: set[Kind] = field(default_factory=set)  # the sections the sources had
    # The fields each entry was written with, aligned with its kind's list: an import changes
    # only those in an existing entry (see docs/import.md, "Partial files").
    written: dict[Kind, list[frozenset[str]]] = field(
        default_factory=lambda: {kind: [] for kind in Kind}
    )

    def account_keys(self) -> set[str]:
        """The accounts this file speaks for: listed, or named by one of its entries."""
        keys = {a.key for a in self.accounts}
        keys.update(g.account for g in self.groups)
        keys.update(p.account for p in self.people)
        keys.update(n.account for n in self.numbers)
        return keys


class _Fields:
    """Reads the fields of one record, collecting a problem for each bad one."""

    def __init__(self, record: Record, problems: list[Problem]) -> None:
        self.record = record
        self.problems = problems
        self.ok = True
        self.failed: set[str] = set()  # the fields that were wrong

    def get(self, name: str, read: Callable[[object], T], default: T) -> T:
        raw = self.record.values.get(name)
        if raw is None or raw == "":
            return default
        try:
            return read(raw)
        except f.FieldError as exc:
            self.fail(exc.reason, name)
            return default

    def fail(self, reason: str, name: str | None = None) -> None:
        self.problems.append(self.record.problem(reason, name))
        self.ok = False
        if name:
            self.failed.add(name)


# Told (records checked, records in all) now and then, for a progress bar on big files.
Progress = Callable[[int, int], None]
_EVERY = 2_000


def validate(
    records: Iterable[Record],
    known: Known,
    kinds: Iterable[Kind] = (),
    progress: Progress | None = None,
) -> Plan:
    """The plan for ``records``, or ValidationFailed listing every problem."""
    return _Validator(known).run(list(records), set(kinds), progress)


class _Validator:
    def __init__(self, known: Known) -> None:
        self.known = known
        self.problems: list[Problem] = []
        self.plan = Plan()
        self.countries = dict(known.countries)
        self.languages = dict(known.languages)
        self.seen: dict[tuple[Kind, str, str], Record] = {}
        # Accounts of this import whose country is wrong: their entries cannot be read (their
        # numbers are national), and saying "unknown account" about them would be false.
        self.unreadable: set[str] = set()
        self.field_sets: dict[tuple[str, ...], frozenset[str]] = {}  # rows of a CSV share one

    def run(self, records: list[Record], kinds: set[Kind], progress: Progress | None) -> Plan:
        by_kind: dict[Kind, list[Record]] = {k: [] for k in Kind}
        for record in records:
            by_kind[record.kind].append(record)
        self.plan.kinds = kinds | {r.kind for r in records}
        readers: dict[Kind, Callable[[Record], None]] = {
            Kind.ACCOUNTS: self.account,
            Kind.GROUPS: self.group,
            Kind.PEOPLE: self.person,
            Kind.NUMBERS: self.number,
            Kind.AGENTS: self.agent,
        }
        for kind in Kind:  # accounts first: the others read their numbers in its country
            for done, record in enumerate(by_kind[kind], start=1):
                if progress and done % _EVERY == 0:
                    progress(done, len(by_kind[kind]))
                if self.shape_ok(record):
                    readers[kind](record)
        if self.problems:
            raise ValidationFailed(self.problems)
        return self.plan

    def shape_ok(self, record: Record) -> bool:
        """Whether the entry can be read: unknown fields are reported, the others still read."""
        ok = True
        allowed = FIELDS[record.kind]
        for name in record.values:
            if name not in allowed:
                reason = says(
                    "unknown field %(name)r; %(kind)s have %(allowed)s",
                    name=name,
                    kind=record.kind,
                    allowed=", ".join(allowed),
                )
                self.problems.append(record.problem(reason, name))
        for name in REQUIRED[record.kind]:
            if record.values.get(name) in (None, ""):
                self.problems.append(record.problem(says("%(name)s is required", name=name), name))
                ok = False
        return ok

    def note(self, record: Record) -> None:
        names = tuple(record.values)
        written = self.field_sets.get(names)
        if written is None:
            written = self.field_sets.setdefault(names, frozenset(names))
        self.plan.written[record.kind].append(written)

    def first(self, kind: Kind, scope: str, name: str, record: Record, label: str) -> bool:
        """Whether this is the first entry with this key; a problem otherwise.

        Called for wrong entries too, so that a key written twice is reported even when the
        first entry has problems of its own.
        """
        if not name:  # the key itself was wrong, and reported
            return False
        previous = self.seen.setdefault((kind, scope, name), record)
        if previous is not record:
            self.problems.append(
                record.problem(
                    says(
                        "duplicate %(label)s %(name)r (already at %(where)s)",
                        label=label,
                        name=name,
                        where=previous.where,
                    ),
                    "key",
                )
            )
            return False
        return True

    def owner(self, read: _Fields, name: str = "account") -> str | None:
        """The account an entry belongs to, when it exists in the file or the database."""
        account = read.get(name, f.key, "")
        if account in self.unreadable:
            read.ok = False  # its account's problem is reported there
            return None
        if account and account not in self.countries:
            read.fail(
                says(
                    "unknown account %(account)r: it is neither in this import nor in the "
                    "database (add it to the accounts)",
                    account=account,
                ),
                name,
            )
            return None
        return account or None

    def account(self, record: Record) -> None:
        read = _Fields(record, self.problems)
        key = read.get("key", f.key, "")
        # An account already there keeps what this entry leaves out: read its numbers in its
        # own country, default its new people to its own languages.
        known = key in self.known.countries
        country = read.get("country", f.country, self.known.countries.get(key, "FR"))
        tier = read.get("tier", f.tier, Tier.STANDARD)
        name = read.get("name", f.text, "")
        if not name and not known:
            read.fail(says("name is required for a new account"), "name")
        languages = self.known.languages.get(key) or default_languages(country)
        account = Account(
            key=key,
            name=name,
            answer_name=read.get("answer_name", f.text, name),
            timezone=read.get("timezone", f.timezone, default_timezone(country)),
            country=country,
            subdivision=read.get("subdivision", lambda v: f.text(v, limit=16).upper(), ""),
            languages=read.get("languages", f.languages, languages),
            business_hours=read.get("business_hours", f.hours, f.hours(DEFAULT_HOURS)),
            tier=tier,
            target_seconds=read.get(
                "target_seconds", lambda v: f.integer(v, low=1, high=3600), TARGET_SECONDS[tier]
            ),
            notes=read.get("notes", lambda v: f.text(v, limit=5000, lines=True), ""),
            colour=read.get("colour", f.colour, "#4a6fa5"),
        )
        active = read.get("active", f.flag, True)
        first = self.first(Kind.ACCOUNTS, "", account.key, record, "account")
        if first and "country" in read.failed:
            self.unreadable.add(account.key)
        elif first:
            # Even a wrong account is known to the entries that follow: theirs are checked
            # against it, rather than all reported as belonging to an unknown account.
            self.countries[account.key] = account.country
            self.languages[account.key] = account.languages
        if first and read.ok:
            self.plan.accounts.append(account)
            self.note(record)
            if not active:
                self.plan.inactive_accounts.add(account.key)

    def group(self, record: Record) -> None:
        read = _Fields(record, self.problems)
        account = self.owner(read)
        key = read.get("key", f.key, "")
        group = Group(account or "", key, read.get("name", f.text, key))
        if account and self.first(Kind.GROUPS, account, key, record, "group") and read.ok:
            self.plan.groups.append(group)
            self.note(record)

    def person(self, record: Record) -> None:
        read = _Fields(record, self.problems)
        account = self.owner(read)
        key = read.get("key", f.key, "")
        first_name = read.get("first_name", lambda v: f.text(v, limit=100), "")
        last_name = read.get("last_name", lambda v: f.text(v, limit=100), "")
        if not (first_name or last_name) and (account, key) not in self.known.people:
            read.fail(says("a new person needs a first_name or a last_name"), "last_name")
        group = read.get("group", f.key, "")
        if account and group and not self.group_exists(account, group):
            read.fail(
                says(
                    "unknown group %(group)r in account %(account)r (add it to the groups)",
                    group=group,
                    account=account,
                ),
                "group",
            )
        devices = self.person_devices(read, account) if account else ()
        person = Person(
            account=account or "",
            key=key,
            first_name=first_name,
            last_name=last_name,
            pronunciation=read.get("pronunciation", f.text, ""),
            title=read.get("title", f.text, ""),
            group=group,
            languages=read.get("languages", f.languages, self.languages.get(account or "", ())),
            email=read.get("email", f.email, ""),
            devices=devices,
            working_hours=read.get("working_hours", f.hours, None),
            active=read.get("active", f.flag, True),
        )
        if account and self.first(Kind.PEOPLE, account, key, record, "person") and read.ok:
            self.plan.people.append(person)
            self.note(record)

    def group_exists(self, account: str, group: str) -> bool:
        return (Kind.GROUPS, account, group) in self.seen or (account, group) in self.known.groups

    def person_devices(self, read: _Fields, account: str) -> tuple[Device, ...]:
        region = self.countries[account]
        none: tuple[Device, ...] = ()
        listed = read.get("devices", lambda v: f.devices(v, region), none)
        none_found: Device | None = None
        shortcuts = tuple(
            device
            for name, kind in f.DEVICE_KINDS.items()
            if name in read.record.values
            and (device := read.get(name, _device_reader(name, kind, region), none_found))
        )
        taken = {d.key for d in listed}
        for device in shortcuts:
            if device.key in taken:
                read.fail(says("the device %(key)r is also in devices", key=device.key), device.key)
        return listed + shortcuts

    def number(self, record: Record) -> None:
        read = _Fields(record, self.problems)
        account = self.owner(read)
        if account is None:
            return
        raw = read.get("number", lambda v: f.text(v, limit=64), "")
        e164 = read.get("number", lambda v: f.phone(v, self.countries[account]), "")
        written = read.get("e164", lambda v: f.text(v, limit=20), "")
        if e164 and written and written != e164:
            region = self.countries[account]
            read.fail(
                says(
                    "%(raw)r reads as %(e164)s in %(region)s, not %(written)s",
                    raw=raw,
                    e164=e164,
                    region=region,
                    written=written,
                ),
                "e164",
            )
        person = read.get("person", f.key, "")
        if person and not self.person_exists(account, person):
            read.fail(
                says(
                    "unknown person %(person)r in account %(account)r",
                    person=person,
                    account=account,
                ),
                "person",
            )
        owner = self.known.numbers.get(e164)
        if e164 and owner not in (None, account):
            read.fail(
                says(
                    "conflict: %(e164)s already leads to account %(owner)r; release it "
                    "there first (a number leads to exactly one account)",
                    e164=e164,
                    owner=owner,
                ),
                "number",
            )
        label = read.get("label", lambda v: f.text(v, limit=100), "")
        if self.first_number(e164, record) and read.ok:
            self.plan.numbers.append(Number(e164, account, person, raw, label))
            self.note(record)

    def first_number(self, e164: str, record: Record) -> bool:
        if not e164:  # not a valid number, and reported
            return False
        previous = self.seen.setdefault((Kind.NUMBERS, "", e164), record)
        if previous is not record:
            self.problems.append(
                record.problem(
                    says(
                        "conflict: %(e164)s is claimed twice in this import (also at "
                        "%(where)s); a number leads to exactly one account",
                        e164=e164,
                        where=previous.where,
                    ),
                    "number",
                )
            )
            return False
        return True

    def person_exists(self, account: str, person: str) -> bool:
        return (Kind.PEOPLE, account, person) in self.seen or (account, person) in self.known.people

    def agent(self, record: Record) -> None:
        read = _Fields(record, self.problems)
        none: tuple[Training, ...] = ()
        trainings = read.get("trainings", f.trainings, none)
        for training in trainings:
            if training.account in self.unreadable:
                read.ok = False  # its account's problem is reported there
            elif training.account not in self.countries:
                read.fail(
                    says("unknown account %(account)r in trainings", account=training.account),
                    "trainings",
                )
        sip_uri = read.get("sip_uri", lambda v: f.address(DeviceKind.SOFTPHONE, v, ""), "")
        key = read.get("key", f.key, "")
        name = read.get("name", f.text, "")
        if not name and key not in self.known.agents:
            read.fail(says("name is required for a new agent"), "name")
        agent = Agent(
            key=key,
            name=name,
            site=read.get("site", lambda v: f.text(v, limit=64), "home"),
            languages=read.get("languages", f.languages, ("fr",)),
            trainings=tuple(sorted(trainings, key=lambda t: t.account)),
            sip_uri=sip_uri,
            active=read.get("active", f.flag, True),
        )
        if self.first(Kind.AGENTS, "", agent.key, record, "agent") and read.ok:
            self.plan.agents.append(agent)
            self.note(record)


def _device_reader(name: str, kind: DeviceKind, region: str) -> Callable[[object], Device]:
    return lambda value: f.mobile_or_sip(name, kind, value, region)
