"""factory_boy factories for the priority email's models."""

from __future__ import annotations

from datetime import UTC, date, datetime

import factory
from factory.django import DjangoModelFactory

from dashboard.reports.models import SentEmail, TeamEmailSettings
from tests.gerrit.factories import TeamFactory


class TeamEmailSettingsFactory(DjangoModelFactory):
    class Meta:
        model = TeamEmailSettings

    team = factory.SubFactory(TeamFactory)
    list_address = "openstack-dev@lists.openstack.org"


class SentEmailFactory(DjangoModelFactory):
    class Meta:
        model = SentEmail

    team = factory.SubFactory(TeamFactory)
    week = date(2017, 4, 13)
    list_version = 1
    subject = factory.Sequence(lambda n: f"[glance] Review priorities, email {n}")
    text = "1. Something\n"
    html = "<p>Something</p>"
    to = factory.LazyFunction(lambda: ["openstack-dev@lists.openstack.org"])
    from_email = "Tiller <tiller@localhost>"
    sender_name = "Petra"
    sent_at = datetime(2017, 4, 14, 9, 0, tzinfo=UTC)
    message_id = factory.Sequence(lambda n: f"<email-{n}@tiller.test>")
    raw = "Subject: x\n\nSomething\n"
