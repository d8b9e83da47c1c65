"""Import affiliations from a Stackalytics ``default_data.json``-style document.

The file lists ``users`` (``launchpad_id``, ``github_id``, ``user_name``, ``emails`` and
``companies``: ``[{company_name, end_date}]`` in order) and ``companies``
(``company_name``, ``domains``, ``aliases``). Stackalytics resolves a record's company as
the first one whose end_date is after the record's date, else the last; so here company
*i* covers [end of company i-1, its own end_date) and the last one stays open whatever its
end_date says. ``*independent`` means no organisation.

Users are matched to the server's accounts by Gerrit user name (``launchpad_id`` or
``user_name``) or by e-mail (case-insensitive). The import is idempotent: a matched
account's imported stretches are replaced by the file's, and running the same file twice
changes nothing. Stretches someone edited in Tiller win over the file: such people are
left alone and reported. People of the team still without any record get an open stretch
from their e-mail domain when an organisation claims it (the most specific domain wins),
as Stackalytics does for profiles missing from the file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef

from dashboard.gerrit.models import Account, Change, GerritServer, Team, Vote
from dashboard.health.affiliations import INDEPENDENT_NAMES
from dashboard.health.models import Affiliation, AffiliationSource, Organisation

DATE_FORMATS = ("%Y-%b-%d", "%Y-%m-%d")


class DefaultDataError(ValueError):
    """The document cannot be read; the message names the line or the entry."""


@dataclass(frozen=True)
class CompanyEntry:
    name: str
    domains: tuple[str, ...]
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class UserEntry:
    """One user; ``stretches`` are (company name or None, start, end) in order."""

    label: str
    usernames: tuple[str, ...]
    emails: tuple[str, ...]
    stretches: tuple[tuple[str | None, date | None, date | None], ...]


@dataclass(frozen=True)
class DefaultData:
    companies: tuple[CompanyEntry, ...]
    users: tuple[UserEntry, ...]


@dataclass
class ImportReport:
    """What an import did, for the command to print."""

    organisations_created: list[str] = field(default_factory=list)
    people_created: int = 0
    people_updated: int = 0
    people_unchanged: int = 0
    kept_edits: list[str] = field(default_factory=list)
    unknown_users: list[str] = field(default_factory=list)
    from_domains: int = 0


def _parse_date(value: Any, where: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        for fmt in DATE_FORMATS:
            try:
                return datetime.strptime(value, fmt).date()
            except ValueError:
                continue
    raise DefaultDataError(f"{where}: end_date {value!r} is not a date like 2015-Mar-31")


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DefaultDataError(f"{where} must be a list of strings")
    return tuple(v.strip() for v in value if v.strip())


def parse_default_data(text: str) -> DefaultData:
    """Read the document; DefaultDataError says where it is wrong (line, or entry)."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DefaultDataError(f"line {exc.lineno}: not valid JSON ({exc.msg})") from None
    if not isinstance(document, dict) or not isinstance(document.get("users", []), list):
        raise DefaultDataError("expected an object with a list of users")
    companies = []
    for n, entry in enumerate(document.get("companies") or []):
        where = f"companies[{n}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("company_name"), str):
            raise DefaultDataError(f"{where}: company_name is missing")
        companies.append(
            CompanyEntry(
                name=entry["company_name"].strip(),
                domains=tuple(d.lower() for d in _strings(entry.get("domains"), where)),
                aliases=_strings(entry.get("aliases"), where),
            )
        )
    users = []
    for n, entry in enumerate(document.get("users", [])):
        if not isinstance(entry, dict):
            raise DefaultDataError(f"users[{n}]: expected an object")
        names = [entry.get(key) for key in ("launchpad_id", "user_name", "github_id")]
        label = next((str(v) for v in names if v), f"users[{n}]")
        where = f"users[{n}] ({label})"
        raw = entry.get("companies")
        if not isinstance(raw, list) or not raw:
            raise DefaultDataError(f"{where}: companies must be a non-empty list")
        stretches = []
        start: date | None = None
        for k, company in enumerate(raw):
            if not isinstance(company, dict) or not isinstance(company.get("company_name"), str):
                raise DefaultDataError(f"{where}: companies[{k}] has no company_name")
            end = _parse_date(company.get("end_date"), f"{where} companies[{k}]")
            last = k == len(raw) - 1
            if not last and end is None:
                raise DefaultDataError(
                    f"{where}: companies[{k}] has no end_date but is not the last"
                )
            if end is not None and start is not None and end <= start:
                raise DefaultDataError(f"{where}: companies[{k}] ends before the previous one")
            name = company["company_name"].strip()
            organisation = None if name.casefold() in INDEPENDENT_NAMES else name
            stretches.append((organisation, start, None if last else end))
            start = end
        usernames = tuple(
            str(entry[key]) for key in ("launchpad_id", "user_name") if entry.get(key)
        )
        users.append(
            UserEntry(
                label=label,
                usernames=usernames,
                emails=tuple(e.lower() for e in _strings(entry.get("emails"), where)),
                stretches=tuple(stretches),
            )
        )
    return DefaultData(companies=tuple(companies), users=tuple(users))


class _Organisations:
    """Names and aliases to organisations, created on first use."""

    def __init__(self, companies: tuple[CompanyEntry, ...], report: ImportReport) -> None:
        self.report = report
        self.by_name: dict[str, Organisation] = {}
        for organisation in Organisation.objects.all():
            self._index(organisation)
        for company in companies:
            organisation = self.get(company.name)
            aliases = sorted(set(organisation.aliases) | set(company.aliases))
            domains = sorted(set(organisation.domains) | set(company.domains))
            if aliases != organisation.aliases or domains != organisation.domains:
                organisation.aliases, organisation.domains = aliases, domains
                organisation.save(update_fields=["aliases", "domains"])
            self._index(organisation)

    def _index(self, organisation: Organisation) -> None:
        for name in (organisation.name, *organisation.aliases):
            self.by_name[name.casefold()] = organisation

    def get(self, name: str) -> Organisation:
        found = self.by_name.get(name.casefold())
        if found is None:
            found = Organisation.objects.create(name=name)
            self.report.organisations_created.append(name)
            self._index(found)
        return found


def _signature(rows: list[tuple[int | None, date | None, date | None]]) -> list[tuple]:
    return sorted(rows, key=lambda r: (r[1] or date.min, r[0] or 0))


@transaction.atomic
def import_default_data(
    *, data: DefaultData, server: GerritServer, team: Team | None = None
) -> ImportReport:
    """Apply ``data`` to the accounts of ``server``; with ``team``, also the domain fallback
    for the team's people who still have no record."""
    report = ImportReport()
    organisations = _Organisations(data.companies, report)
    accounts = list(Account.objects.filter(server=server, is_bot=False))
    by_username = {a.username: a for a in accounts if a.username}
    by_email = {a.email.lower(): a for a in accounts if a.email}
    edited = set(
        Affiliation.objects.filter(
            account__server=server, source=AffiliationSource.EDIT
        ).values_list("account_id", flat=True)
    )
    existing: dict[int, list[Affiliation]] = {}
    for row in Affiliation.objects.filter(account__server=server).exclude(
        source=AffiliationSource.EDIT
    ):
        existing.setdefault(row.account_id, []).append(row)

    seen: set[int] = set()
    to_create: list[Affiliation] = []
    for user in data.users:
        account = next((by_username[u] for u in user.usernames if u in by_username), None)
        account = account or next((by_email[e] for e in user.emails if e in by_email), None)
        if account is None:
            report.unknown_users.append(user.label)
            continue
        if account.pk in seen:
            continue
        seen.add(account.pk)
        if account.pk in edited:
            report.kept_edits.append(str(account))
            continue
        wanted = [
            (organisations.get(name).pk if name else None, start, end)
            for name, start, end in user.stretches
        ]
        old = existing.pop(account.pk, [])
        if _signature([(a.organisation_id, a.start, a.end) for a in old]) == _signature(
            wanted
        ) and all(a.source == AffiliationSource.IMPORT for a in old):
            report.people_unchanged += 1
            continue
        if old:
            Affiliation.objects.filter(pk__in=[a.pk for a in old]).delete()
            report.people_updated += 1
        else:
            report.people_created += 1
        to_create.extend(
            Affiliation(
                account=account,
                organisation_id=org,
                start=start,
                end=end,
                source=AffiliationSource.IMPORT,
            )
            for org, start, end in wanted
        )
    Affiliation.objects.bulk_create(to_create)
    if team is not None:
        report.from_domains = _domain_fallback(team=team, organisations=organisations)
    return report


def _domain_fallback(*, team: Team, organisations: _Organisations) -> int:
    """Open stretches from e-mail domains for the team's people with no record at all."""
    domains = sorted(
        {(d, o.pk) for o in set(organisations.by_name.values()) for d in o.domains},
        key=lambda item: -len(item[0]),  # the most specific domain first
    )
    if not domains:
        return 0
    owns = Change.objects.in_team(team).filter(owner=OuterRef("pk"))
    voted = Vote.objects.filter(repository__team=team, account=OuterRef("pk"))
    people = (
        Account.objects.filter(server_id=team.server_id, is_bot=False)
        .filter(Exists(owns) | Exists(voted))
        .filter(~Exists(Affiliation.objects.filter(account=OuterRef("pk"))))
        .exclude(email="")
    )
    created = []
    for account in people:
        host = account.email.rsplit("@", 1)[-1].lower()
        match = next((o for d, o in domains if host == d or host.endswith("." + d)), None)
        if match is not None:
            created.append(
                Affiliation(account=account, organisation_id=match, source=AffiliationSource.DOMAIN)
            )
    Affiliation.objects.bulk_create(created)
    return len(created)
