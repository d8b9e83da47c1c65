"""Forms of the reviews pages: the search box and linking a Gerrit account."""

from __future__ import annotations

from django import forms

from dashboard.gerrit.models import Account
from dashboard.reviews import selectors


class SearchForm(forms.Form):
    """``/search?q=…&team=…&page=…``; an empty ``q`` shows the help."""

    q = forms.CharField(required=False, max_length=2000, strip=True)
    team = forms.SlugField(required=False)


class LinkAccountForm(forms.Form):
    """Link the signed-in user to a synced Gerrit account, named by user name or e-mail."""

    account = forms.CharField(
        label="Gerrit user name or e-mail",
        max_length=255,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )

    def clean_account(self) -> Account:
        name = self.cleaned_data["account"]
        matches = list(selectors.linkable_accounts(name=name)[:2])
        if not matches:
            raise forms.ValidationError(
                "No synced Gerrit account has that user name or e-mail. Accounts appear "
                "once they own, review or comment on a change of a synced team."
            )
        if len(matches) > 1:
            raise forms.ValidationError(
                "Several synced accounts match (on different Gerrit servers or sharing an "
                "e-mail); use the exact Gerrit user name."
            )
        return matches[0]
