"""Forms of the governance pages: a team event, a leader."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms

from dashboard.governance.models import Cycle, Leader

# A team event may sit a little outside its cycle (a retrospective after the release).
MARGIN = timedelta(weeks=4)


class TeamEventForm(forms.Form):
    title = forms.CharField(max_length=200)
    start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="First day")
    end = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        label="Last day",
        required=False,
        help_text="Leave empty for a one-day event",
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, cycle: Cycle, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cycle = cycle

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and not end:
            data["end"] = end = start
        if start and end:
            if end < start:
                self.add_error("end", "The last day comes before the first.")
            elif end - start > timedelta(days=14):
                self.add_error("end", "A team event lasts at most two weeks.")
            if (
                self.cycle.start
                and self.cycle.end
                and not (self.cycle.start - MARGIN <= start <= self.cycle.end + MARGIN)
            ):
                self.add_error(
                    "start",
                    f"{self.cycle} runs from {self.cycle.start} to {self.cycle.end}; "
                    "pick a day in it.",
                )
        return data


class LeaderForm(forms.ModelForm):
    class Meta:
        model = Leader
        fields = ["role", "name", "irc", "email"]
