"""Focus rules: a PTL's "nothing else merges until X lands, except security fixes".

A rule names what must land (one of the cycle's priorities, optional) and what may merge
anyway (an exception query in Gerrit's search language). Whether it holds is computed from
the synced changes by ``dashboard.reports.focus.check_rule``, never stored.

Writes go through ``dashboard.reports.focus`` (services), which bumps ``version`` on every
edit: an edit made from an older version is refused (``StaleFocusRule``), as everywhere
else in Tiller.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

# What "marked security" means on OpenStack's Gerrit, as our query language can answer it:
# the ``security`` hashtag, a topic with the word security in it (``bug/security-…``,
# ``security-fixes``), and the commit-message markers the vulnerability team asks for:
# the ``SecurityImpact`` flag, an OSSA advisory number, or a CVE id. Every term is
# answered from synced columns (hashtags, topic, commit message), so it costs no join.
DEFAULT_EXCEPTIONS = (
    "hashtag:security OR intopic:security OR message:SecurityImpact OR message:OSSA OR message:CVE"
)


class FocusRuleQuerySet(models.QuerySet["FocusRule"]):
    def for_cycle(self, *, team_id: int, cycle_id: int) -> FocusRuleQuerySet:
        """A team's rules for a cycle, the one in force longest first."""
        return self.filter(team_id=team_id, cycle_id=cycle_id).order_by("since", "pk")


class FocusRule(models.Model):
    """A team's rule for a cycle: from ``since``, only priority items and exceptions merge.

    ``until`` is the last day the rule is in force (None: until it is lifted, which sets
    ``until``, or until ``priority`` is done). ``priority`` is what must land; it becomes
    None if the priority is deleted, and ``priority_title`` keeps its name so the page can
    say which one it was. ``exceptions`` is a Gerrit query for what may merge anyway
    (empty: nothing). ``version`` goes up on every edit.
    """

    team = models.ForeignKey("gerrit.Team", on_delete=models.CASCADE, related_name="focus_rules")
    cycle = models.ForeignKey(
        "governance.Cycle", on_delete=models.CASCADE, related_name="focus_rules"
    )
    statement = models.CharField(
        max_length=500, help_text="The rule in words, as the team agreed it"
    )
    since = models.DateField(default=timezone.localdate, help_text="First day in force")
    until = models.DateField(
        null=True, blank=True, help_text="Last day in force; empty: until lifted or landed"
    )
    priority = models.ForeignKey(
        "governance.Priority",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="focus_rules",
    )
    priority_title = models.CharField(max_length=300, blank=True)
    exceptions = models.CharField(
        max_length=1000,
        blank=True,
        default=DEFAULT_EXCEPTIONS,
        help_text="A Gerrit query for changes that may merge anyway",
    )
    version = models.PositiveIntegerField(default=1)
    created = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by_name = models.CharField(max_length=150, blank=True)
    updated = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by_name = models.CharField(max_length=150, blank=True)

    objects = FocusRuleQuerySet.as_manager()

    class Meta:
        ordering = ["team", "cycle", "since", "pk"]
        indexes = [models.Index(fields=["team", "cycle"], name="focusrule_team_cycle")]

    def __str__(self) -> str:
        return self.statement

    @property
    def priority_deleted(self) -> bool:
        """The rule named a priority that no longer exists."""
        return self.priority_id is None and bool(self.priority_title)
