"""Each operator's meaning on small hand-built data (facts §4.1, §6.4, §6.5).

Every search here runs on SQLite and on PostgreSQL (``DATABASE_URL=postgres://…``), and the
``found`` helper pins that evaluating a query is exactly one SQL statement.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.db import connection

from dashboard.gerrit.models import ChangeStatus, ReviewerState
from dashboard.reviews.evaluate import SearchContext, search, to_q
from dashboard.reviews.models import GerritIdentity, Star
from dashboard.reviews.query import NeedsSignIn, UnknownGroup, UnsupportedOperator, parse
from tests.gerrit.factories import (
    AccountFactory,
    ApprovalFactory,
    ChangeFactory,
    ChangeFileFactory,
    CoreMembershipFactory,
    GerritServerFactory,
    MessageFactory,
    PatchSetFactory,
    RepositoryFactory,
    TeamFactory,
    VoteFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def team():
    return TeamFactory(name="glance", core_group="glance-core")


@pytest.fixture
def server(team):
    return team.server


@pytest.fixture
def repo(team):
    return RepositoryFactory(team=team, name="openstack/glance")


@pytest.fixture
def me(server):
    return AccountFactory(server=server, username="jroe", name="Jane Roe", email="jane@example.org")


@pytest.fixture
def alice(server):
    return AccountFactory(server=server, username="alice", name="Alice Liddell")


@pytest.fixture
def bob(server):
    return AccountFactory(server=server, username="bob", name="Bob Builder")


@pytest.fixture
def zuul(server):
    return AccountFactory(server=server, username="zuul", name="Zuul", is_bot=True)


@pytest.fixture
def user(me):
    user = User.objects.create_user("jane")
    GerritIdentity.objects.create(user=user, account=me)
    return user


@pytest.fixture
def context(server, me, user):
    return SearchContext(
        server=server,
        now=NOW,
        account=me,
        starred=Star.objects.filter(user=user).values("change"),
        groups=frozenset({"glance-core"}),
    )


@pytest.fixture
def anonymous(server):
    return SearchContext(server=server, now=NOW, groups=frozenset({"glance-core"}))


@pytest.fixture
def make(repo):
    """A change in openstack/glance, updated an hour before NOW unless told otherwise."""

    def make(**fields):
        fields.setdefault("updated", NOW - timedelta(hours=1))
        return ChangeFactory(repository=repo, **fields)

    return make


def vote(change, value, by, label="Code-Review"):
    return ApprovalFactory(change=change, label=label, value=value, account=by)


@pytest.fixture
def found(context, django_assert_num_queries):
    """The numbers of the changes a query selects, checked to take exactly one query."""

    def found(text, *, context=context):
        with django_assert_num_queries(1):
            return {change.number for change in search(text, context=context)}

    return found


def numbers(*changes):
    return {change.number for change in changes}


# --- label: ----------------------------------------------------------------------------


def test_label_tests_whether_some_vote_exists_not_the_maximum(make, found, alice, bob):
    split = make()
    vote(split, 2, alice)
    vote(split, -2, bob)
    approved = make()
    vote(approved, 2, alice)

    assert found("label:Code-Review>=2") == numbers(split, approved)
    assert found("label:Code-Review<=-2") == numbers(split)
    # Which is why dashboards pair ">=2" with "no negative vote from anyone".
    assert found("label:Code-Review>=2 NOT label:Code-Review<=-1") == numbers(approved)


def test_comparisons_that_include_zero_match_changes_nobody_voted_on(make, found, alice):
    unvoted = make()
    liked = make()
    vote(liked, 1, alice)

    assert found("label:Code-Review=0") == numbers(unvoted)
    assert found("label:Code-Review<=0") == numbers(unvoted)
    assert found("label:Code-Review<1") == numbers(unvoted)
    assert found("label:Code-Review>=0") == numbers(unvoted, liked)
    assert found("label:Code-Review>=1") == numbers(liked)
    # Nobody has voted: the corpus's way and the short way agree.
    assert found("NOT label:Code-Review<=-1 NOT label:Code-Review>=1") == numbers(unvoted)


@pytest.mark.parametrize(
    "query",
    [
        "NOT label:Code-Review>=-2",
        "NOT label:Code-Review<=2",
        "NOT label:code-review>=-2",
    ],
)
def test_ranges_spanning_all_code_review_values_are_tautologies(make, found, alice, bob, query):
    make()
    for values in ([1], [-1], [2], [-2], [2, -2]):
        change = make()
        for value, voter in zip(values, (alice, bob), strict=False):
            vote(change, value, voter)
    assert found(query) == set()


def test_at_least_zero_by_self_is_true_unless_you_voted_negatively(make, found, me, alice):
    nobody = make()
    mine_plus = make()
    vote(mine_plus, 1, me)
    mine_minus = make()
    vote(mine_minus, -1, me)
    others_minus = make()
    vote(others_minus, -1, alice)

    assert found("label:Code-Review>=0,self") == numbers(nobody, mine_plus, others_minus)
    assert found("NOT label:Code-Review>=0,self") == numbers(mine_minus)
    # "I haven't voted", said correctly:
    assert found("NOT label:Code-Review<=-1,self NOT label:Code-Review>=1,self") == numbers(
        nobody, others_minus
    )


def test_a_bare_label_name_means_plus_one(make, found, me, alice):
    plus_one = make()
    vote(plus_one, 1, me)
    plus_two = make()
    vote(plus_two, 2, me)
    nothing = make()

    assert found("label:Code-Review") == numbers(plus_one)
    assert found("NOT label:Code-Review,self") == numbers(plus_two, nothing)


@pytest.mark.parametrize(
    ("query", "matches"),
    [
        ("label:workflow>=1", True),
        ("label:WORKFLOW=+1", True),
        ("label:Workflow+1", True),
        ("label:Workflow=ANY", True),
        ("label:Workflow-1", False),
        ("label:Work-flow>=1", False),
    ],
)
def test_label_names_compare_ignoring_case(make, found, alice, query, matches):
    change = make()
    vote(change, 1, alice, label="Workflow")
    assert found(query) == (numbers(change) if matches else set())


def test_double_equals_is_a_label_name_that_matches_nothing(make, found, alice):
    change = make()
    vote(change, 1, alice, label="Review-Priority")
    assert found("label:Review-Priority=1") == numbers(change)
    assert found("label:Review-Priority==1") == set()


def test_only_current_patch_set_votes_count(make, found, alice):
    change = make(current_patch_set=2)
    VoteFactory(change=change, patch_set=1, value=2, account=alice)  # history, not current
    assert found("label:Code-Review>=2") == set()


def test_group_voters_are_current_core_members(make, found, team, alice, bob, zuul):
    CoreMembershipFactory(team=team, account=alice)
    CoreMembershipFactory(team=team, account=bob, left=NOW - timedelta(days=30))
    core_minus = make()
    vote(core_minus, -1, alice)
    former_core_minus = make()
    vote(former_core_minus, -1, bob)
    bot_minus = make()
    vote(bot_minus, -1, zuul)

    assert found("label:Code-Review<=-1,glance-core") == numbers(core_minus)
    assert found("label:Code-Review<=-1,group=glance-core") == numbers(core_minus)
    assert found("NOT label:Code-Review<=-1,glance-core") == numbers(former_core_minus, bot_minus)


def test_a_voter_name_is_a_user_before_it_is_a_group(make, found, server, team, alice):
    impostor = AccountFactory(server=server, username="glance-core")
    CoreMembershipFactory(team=team, account=alice)
    by_impostor = make()
    vote(by_impostor, 1, impostor)
    by_core = make()
    vote(by_core, 1, alice)

    assert found("label:Code-Review+1,glance-core") == numbers(by_impostor)
    assert found("label:Code-Review+1,group=glance-core") == numbers(by_core)


@pytest.mark.parametrize(
    "who", ["zuul", "user=zuul", "zuul@example.org", "Zuul", "Zuul <zuul@example.org>"]
)
def test_user_voters(make, found, zuul, alice, who):
    passed = make()
    vote(passed, 1, zuul, label="Verified")
    human = make()
    vote(human, 1, alice, label="Verified")
    assert found(f'label:"Verified>=1,{who}"') == numbers(passed)
    assert found(f"label:Verified>=1,{zuul.account_id}") == numbers(passed)


def test_an_unknown_voter_matches_no_vote(make, found, alice):
    change = make()
    vote(change, 1, alice)
    assert found("label:Code-Review+1,nosuchuser") == set()
    assert found("label:Code-Review=0,nosuchuser") == numbers(change)


def test_owner_and_non_uploader_voters(make, found, server, alice, bob):
    self_approved = make(owner=alice)
    vote(self_approved, 2, alice)
    PatchSetFactory(change=self_approved, number=1, uploader=alice)
    reviewed = make(owner=alice)
    vote(reviewed, 2, bob)
    PatchSetFactory(change=reviewed, number=1, uploader=alice)

    assert found("label:Code-Review+2,owner") == numbers(self_approved)
    assert found("label:Code-Review+2,user=owner") == numbers(self_approved)
    assert found("label:Code-Review+2,non_uploader") == numbers(reviewed)


@pytest.mark.parametrize(
    ("query", "operator"),
    [
        ("label:Code-Review=MAX", "label:Code-Review=MAX"),
        ("label:Verified=need", "label:Verified=need"),
        ("label:Code-Review+1,count=2", "label:Code-Review+1,count=2"),
    ],
)
def test_label_forms_tiller_cannot_answer(context, query, operator):
    with pytest.raises(UnsupportedOperator) as raised:
        search(query, context=context)
    assert raised.value.operator == operator


def test_an_unknown_group_is_an_error(context):
    for query in ("label:Code-Review-1,group=nova-core", "reviewerin:nova-core", "ownerin:x"):
        with pytest.raises(UnknownGroup):
            search(query, context=context)


# --- status and is: -----------------------------------------------------------------------


def test_status_words_and_prefixes(make, found):
    new = make()
    wip = make(work_in_progress=True)
    merged = make(status=ChangeStatus.MERGED)
    abandoned = make(status=ChangeStatus.ABANDONED)

    for query in ("status:open", "status:new", "status:pending", "is:open", "status:o"):
        assert found(query) == numbers(new, wip), query
    assert found("status:closed") == numbers(merged, abandoned)
    assert found("status:mer") == found("is:merged") == numbers(merged)
    assert found("is:abandoned") == numbers(abandoned)
    assert found("is:wip") == numbers(wip)


def test_is_mergeable_uses_the_synced_flag(make, found):
    yes = make(mergeable=True)
    no = make(mergeable=False)
    unknown = make(mergeable=None)
    assert found("is:mergeable") == numbers(yes)
    assert found("NOT is:mergeable") == numbers(no, unknown)


def test_is_private(make, found):
    private = make(is_private=True)
    make()
    assert found("is:private") == numbers(private)


# --- places --------------------------------------------------------------------------------


def test_project_is_exact_or_a_whole_name_regex(found, team):
    glance = ChangeFactory(repository=RepositoryFactory(team=team, name="openstack/glance"))
    specs = ChangeFactory(repository=RepositoryFactory(team=team, name="openstack/glance-specs"))

    assert found("project:openstack/glance") == numbers(glance)
    assert found("project:OpenStack/Glance") == set()
    assert found("project:^openstack/.*-specs") == numbers(specs)
    assert found("project:^openstack/glance") == numbers(glance)  # a full match
    assert found("project:^openstack") == set()
    assert found("p:openstack/glance-specs") == numbers(specs)


def test_an_or_of_projects_matches_any_of_them_exactly_regexes_included(found, team):
    glance = ChangeFactory(repository=RepositoryFactory(team=team, name="openstack/glance"))
    store = ChangeFactory(repository=RepositoryFactory(team=team, name="openstack/glance_store"))
    specs = ChangeFactory(repository=RepositoryFactory(team=team, name="openstack/glance-specs"))
    ChangeFactory(repository=RepositoryFactory(team=team, name="openstack/nova"))

    assert found("project:openstack/glance OR project:openstack/glance_store") == numbers(
        glance, store
    )
    assert found("(project:openstack/glance OR project:OpenStack/Nova) status:open") == numbers(
        glance
    )
    assert found("project:openstack/glance OR project:^.*-specs") == numbers(glance, specs)
    assert found("NOT (project:openstack/glance OR project:openstack/nova)") == numbers(
        store, specs
    )


def test_a_teams_query_reads_its_repositories_open_changes_not_the_servers(context, team):
    """Many teams share one Gerrit server: a query's projects are picked from the small
    repository table first, so the database reads only their open changes, by the
    repository-led index, instead of joining every open change on the server."""
    RepositoryFactory(team=team, name="openstack/glance")
    RepositoryFactory(team=TeamFactory(server=team.server, name="nova"), name="openstack/nova")
    query = "(project:openstack/glance OR project:openstack/glance_store) status:open"
    changes = search(f"{query} label:Verified>=1 NOT project:^.*-specs", context=context).changes

    sql = str(changes.query)
    assert 'JOIN "gerrit_repository"' not in sql
    assert sql.count('FROM "gerrit_repository"') == 2  # the foreach's and the NOT's
    # PostgreSQL plans "IN (subquery)" as a join and walks the server's open changes by
    # date; an array computed first lets it read the repositories' changes by index.
    compiled, _ = changes.query.get_compiler(connection=connection).as_sql()
    if connection.vendor == "postgresql":
        assert compiled.count('"repository_id" = ANY(ARRAY(SELECT') == 2
    else:
        assert compiled.count('"repository_id" IN (SELECT') == 2
    assert {c.number for c in changes} == set()  # and it still runs


def test_projects_is_a_case_sensitive_prefix(found, team):
    ccp = ChangeFactory(repository=RepositoryFactory(team=team, name="openstack/fuel-ccp"))
    tests = ChangeFactory(repository=RepositoryFactory(team=team, name="openstack/fuel-ccp-tests"))
    assert found("projects:openstack/fuel-ccp") == numbers(ccp, tests)
    assert found("projects:OpenStack") == set()  # LIKE would say yes on SQLite


def test_branches_and_refs(make, found):
    master = make(branch="master")
    ocata = make(branch="stable/ocata")
    config = make(branch="refs/meta/config")

    assert found("branch:master") == found("branch:refs/heads/master") == numbers(master)
    assert found("branch:stable") == set()
    assert found("branch:^stable/.*") == numbers(ocata)
    assert found("branch:^refs/heads/stable/.*") == numbers(ocata)
    # Gerrit puts refs/heads/ before the whole pattern: only the first branch gets it.
    assert found("branch:^master|stable/ocata") == numbers(master)
    assert found('branch:"^(master|stable/ocata)"') == numbers(master, ocata)
    assert found("ref:refs/heads/stable/ocata") == numbers(ocata)
    assert found("ref:refs/meta/config") == numbers(config)
    assert found("ref:^refs/meta/.*") == numbers(config)


def test_topics(make, found):
    bug = make(topic="bug/1695728")
    bp = make(topic="bp/multiple-stores")
    none = make(topic="")

    assert found("topic:bug/1695728") == numbers(bug)
    assert found("topic:^bug.*") == set()  # exact since 2.12: no regex
    assert found('topic:""') == numbers(none)
    assert found("intopic:^bug.*") == numbers(bug)
    assert found("intopic:multiple") == numbers(bp)
    assert found("intopic:stores") == numbers(bp)
    assert found("intopic:store") == set()
    assert found("prefixtopic:bp/") == numbers(bp)


def test_hashtags_ignore_case_and_match_whole_tags(make, found):
    tagged = make(hashtags=["Pike-Priority", "backport"])
    other = make(hashtags=["pikepriority"])
    untagged = make(hashtags=[])

    assert found("hashtag:pike-priority") == numbers(tagged)
    assert found("hashtag:BACKPORT") == numbers(tagged)
    assert found("hashtag:back") == set()
    assert found("has:hashtag") == numbers(tagged, other)
    assert found("NOT has:hashtag") == numbers(untagged)


# --- text ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message", "matches"),
    [
        ('message:"Closes-Bug:"', "Fix the store\n\nCloses-Bug: #1234\n", True),
        ('message:"Closes-Bug:"', "Fix the store\n\ncloses bug 1234\n", True),
        ('message:"Closes-Bug:"', "Fix the store\n\nPartial-Bug: #1234\n", False),
        ('message:"bug:"', "Fix it\n\nPartial-Bug: #1234\n", True),
        ('message:"bug: "', "Fix it\n\nRelated-Bug: #1234\n", True),
        ('message:"bug:"', "Debug output for the store\n", False),
        ('message:"[spec]"', "[spec] Add image quotas\n", True),
        ("message:DNM", "dnm: do not merge\n", True),
        ("message:DNM", "DNMX\n", False),
        ('message:"cherry picked from"', "Fix\n\n(cherry picked from commit 0abc)\n", True),
        ("message:apiimpact", "Add a field\n\nAPIImpact\n", True),
        ('message:"!!"', "!!\n", False),  # no words, nothing to find
        ("message:^Fix.*", "Fix the store\n\nmore\n", True),  # newest Gerrit: whole message
        ("message:^store.*", "Fix the store\n", False),
    ],
)
def test_message_is_a_phrase_of_words_in_the_commit_message(make, found, query, message, matches):
    change = make(commit_message=message)
    make(commit_message="Unrelated\n")
    assert found(query) == (numbers(change) if matches else set())


def test_comment_searches_review_messages_not_the_commit_message(make, found, alice):
    commented = make(commit_message="Refactor\n")
    MessageFactory(change=commented, author=alice, text="Patch Set 2:\n\nPlease ask the liaison.")
    in_message = make(commit_message="Ask the liaison\n")
    assert found("comment:liaison") == numbers(commented)
    assert found('comment:"the liaison"') == numbers(commented)
    assert found("comment:liason") == set()
    assert found("message:liaison") == numbers(in_message)


# --- files and sizes ---------------------------------------------------------------------------


def test_file_matches_a_path_or_one_of_its_components(make, found):
    hyperv = make()
    ChangeFileFactory(change=hyperv, path="nova/virt/hyperv/driver.py")
    java = make()
    ChangeFileFactory(change=java, path="src/AbstractFoo.java")
    docs = make()
    ChangeFileFactory(change=docs, path="doc/source/install/index.rst")

    assert found("file:hyperv") == numbers(hyperv)
    assert found("file:driver.py") == numbers(hyperv)
    assert found("file:nova/virt/hyperv/driver.py") == numbers(hyperv)
    assert found("file:nova/virt") == set()  # not a path, not one component
    assert found("file:HyperV") == set()
    assert found("file:Foo.java") == set()
    assert found("f:AbstractFoo.java") == numbers(java)
    assert found(r'file:"^doc\/source\/install\/.*"') == numbers(docs)
    assert found("file:^.*specs.*") == set()
    assert found("path:doc/source/install/index.rst") == numbers(docs)
    assert found("path:index.rst") == set()
    assert found("path:^doc/.*") == numbers(docs)


def test_delta_compares_insertions_plus_deletions(make, found):
    small = make(insertions=6, deletions=4)
    large = make(insertions=400, deletions=1)
    empty = make(insertions=0, deletions=0)

    assert found("delta:<=10") == numbers(small, empty)
    assert found("delta:10") == found("size:=10") == numbers(small)
    assert found("delta:>10") == numbers(large)
    assert found("delta:>400") == numbers(large)
    assert found("delta:<0") == numbers(empty)
    assert found("added:>=400") == numbers(large)
    assert found("deleted:4") == numbers(small)


# --- time ------------------------------------------------------------------------------------


def test_age_counts_back_from_now_and_minus_age_is_newer_than(make, found):
    old = make(updated=NOW - timedelta(days=6))
    edge = make(updated=NOW - timedelta(days=5))
    fresh = make(updated=NOW - timedelta(days=1))

    assert found("age:5d") == numbers(old, edge)  # not touched for at least 5 days
    assert found("-age:5d") == found("NOT age:5d") == numbers(fresh)
    assert found("age:1week") == set()
    assert found("age:120h") == numbers(old, edge)


def test_before_and_after_are_inclusive_and_utc(make, found):
    march = make(updated=datetime(2017, 3, 1, 0, 0, tzinfo=UTC))
    later = make(updated=datetime(2017, 3, 1, 12, 0, tzinfo=UTC))

    assert found("before:2017-03-01") == numbers(march)
    assert found("until:2017-03-01") == numbers(march)
    assert found("after:2017-03-01") == numbers(march, later)
    assert found('after:"2017-03-01 12:00:00"') == numbers(later)
    assert found('since:"2017-03-01 12:30:00 +0100"') == numbers(later)
    assert found('after:"2017-03-01 12:00:01"') == set()


def test_merged_before_and_after_use_the_submit_time(make, found):
    merged = make(status=ChangeStatus.MERGED, submitted=datetime(2017, 3, 1, tzinfo=UTC))
    make(status=ChangeStatus.ABANDONED, closed=datetime(2017, 3, 1, tzinfo=UTC))
    assert found("mergedafter:2017-02-01") == numbers(merged)
    assert found("mergedbefore:2017-02-01") == set()


def test_limit_is_a_final_slice_of_the_newest(make, context, django_assert_num_queries):
    newest = make(updated=NOW - timedelta(minutes=1))
    second = make(updated=NOW - timedelta(minutes=2))
    make(updated=NOW - timedelta(minutes=3))

    result = search("status:open limit:2", context=context)
    assert result.limit == 2
    with django_assert_num_queries(1):
        assert [change.number for change in result] == [newest.number, second.number]
    assert result.changes.count() == 3  # unsliced: callers may still filter or paginate
    assert list(search("NOT limit:5", context=context)) == []


# --- people ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who",
    ["self", "me", "jroe", "jane@example.org", "JANE@example.org", "Jane Roe", "jane roe"],
)
def test_owner_by_any_account_identifier(make, found, me, who):
    mine = make(owner=me)
    make()
    assert found(f'owner:"{who}"') == numbers(mine)


def test_owner_by_numeric_id_and_name_with_email_or_id(make, found, server, me):
    mine = make(owner=me)
    make(owner=AccountFactory(server=server, username="", name="", email=""))  # bare account
    assert found(f"owner:{me.account_id}") == numbers(mine)
    assert found(f'owner:"Jane Roe ({me.account_id})"') == numbers(mine)
    assert found('owner:"Jane Roe <jane@example.org>"') == numbers(mine)
    assert found("owner:nobody-at-all") == set()  # unknown users match nothing, no error
    assert found('owner:""') == set()
    assert found("is:owner") == found("o:self") == numbers(mine)


def test_a_name_shared_by_several_accounts_means_all_of_them(make, found, server):
    first = make(owner=AccountFactory(server=server, name="Sam Smith"))
    second = make(owner=AccountFactory(server=server, name="Sam Smith"))
    make()
    assert found('owner:"Sam Smith"') == numbers(first, second)


def test_accounts_of_other_servers_are_not_mixed_in(make, found, context):
    stranger = AccountFactory(server=GerritServerFactory(), username="jroe2", email="x@y.z")
    elsewhere = ChangeFactory(owner=stranger, repository__team__server=stranger.server)
    assert elsewhere.server != context.server
    assert found("owner:jroe2") == set()
    assert found("status:open") == set()


def test_reviewer_is_state_reviewer_on_changes_not_in_progress(make, found, me):
    reviewing = make()
    reviewing.reviewers.create(account=me, state=ReviewerState.REVIEWER)
    copied = make()
    copied.reviewers.create(account=me, state=ReviewerState.CC)
    in_progress = make(work_in_progress=True)
    in_progress.reviewers.create(account=me, state=ReviewerState.REVIEWER)

    assert found("reviewer:self") == found("is:reviewer") == numbers(reviewing)
    assert found("reviewer:jroe") == numbers(reviewing)
    assert found("cc:self") == found("is:cc") == numbers(copied)


def test_reviewerin_is_about_reviewers_not_votes(make, found, team, alice, bob):
    CoreMembershipFactory(team=team, account=alice)
    core_reviewer = make()
    core_reviewer.reviewers.create(account=alice, state=ReviewerState.REVIEWER)
    vote(core_reviewer, -1, bob)  # a non-core -1
    core_cc = make()
    core_cc.reviewers.create(account=alice, state=ReviewerState.CC)

    assert found("reviewerin:glance-core") == numbers(core_reviewer)
    # The corpus idiom excludes the change although no core voted negatively (facts §6.4).
    assert found("NOT (reviewerin:glance-core label:Code-Review<=-1)") == numbers(core_cc)
    assert found("NOT label:Code-Review<=-1,glance-core") == numbers(core_reviewer, core_cc)


def test_ownerin(make, found, team, alice):
    CoreMembershipFactory(team=team, account=alice)
    by_core = make(owner=alice)
    make()
    assert found("ownerin:glance-core") == numbers(by_core)


def test_reviewedby_collects_authors_after_the_owners_last_message(make, found, me, alice, zuul):
    def message(change, author, minutes, text="Patch Set 1:\n\nComment."):
        return MessageFactory(change=change, author=author, date=NOW - timedelta(minutes=minutes))

    answered = make(owner=alice)  # I reviewed after the owner's upload
    message(answered, alice, 30)
    message(answered, me, 20)
    message(answered, None, 10)  # Gerrit's own messages do not reset anything

    reset = make(owner=alice)  # the owner replied after my review
    message(reset, alice, 30)
    message(reset, me, 20)
    message(reset, alice, 10)

    ci_only = make(owner=alice)  # a CI result counts as a review
    message(ci_only, alice, 30)
    message(ci_only, zuul, 20)

    mine = make(owner=me)  # the owner never reviews their own change
    message(mine, me, 30)

    assert found("reviewedby:self") == numbers(answered)
    assert found("NOT reviewedby:self") == numbers(reset, ci_only, mine)
    assert found("reviewedby:zuul") == numbers(ci_only)
    assert found("is:reviewed") == found("status:reviewed") == numbers(answered, ci_only)


def test_reviewedby_orders_messages_of_the_same_second_as_stored(make, found, me, alice):
    change = make(owner=alice)
    moment = NOW - timedelta(minutes=5)
    MessageFactory(change=change, author=me, date=moment)
    MessageFactory(change=change, author=alice, date=moment)  # later, within the second
    assert found("reviewedby:self") == set()


def test_reviewedby_one_person_is_decided_by_their_latest_message(make, found, me, alice):
    def message(change, author, minutes):
        return MessageFactory(change=change, author=author, date=NOW - timedelta(minutes=minutes))

    again = make(owner=alice)  # the owner replied, then I reviewed once more
    message(again, me, 40)
    message(again, alice, 30)
    message(again, me, 20)

    answered_twice = make(owner=alice)  # the owner's reply came after both of my reviews
    message(answered_twice, me, 40)
    message(answered_twice, me, 30)
    message(answered_twice, alice, 20)

    same_second = make(owner=alice)  # my review stored after the owner's, same second
    moment = NOW - timedelta(minutes=5)
    MessageFactory(change=same_second, author=alice, date=moment)
    MessageFactory(change=same_second, author=me, date=moment)

    assert found("reviewedby:self") == numbers(again, same_second)
    assert found("reviewedby:jroe OR reviewedby:alice") == numbers(again, same_second)


def test_commentby_from_and_uploader(make, found, me, alice):
    commented = make(owner=alice)
    MessageFactory(change=commented, author=me)
    owned = make(owner=me)
    uploaded = make(owner=alice, current_patch_set=2)
    PatchSetFactory(change=uploaded, number=1, uploader=alice)
    PatchSetFactory(change=uploaded, number=2, uploader=me)
    earlier = make(owner=alice, current_patch_set=2)
    PatchSetFactory(change=earlier, number=1, uploader=me)
    PatchSetFactory(change=earlier, number=2, uploader=alice)

    assert found("commentby:self") == numbers(commented)
    assert found("from:self") == numbers(commented, owned)
    assert found("uploader:self") == found("is:uploader") == numbers(uploaded)


def test_stars_are_the_callers_own(make, found, user, context, server):
    starred = make()
    make()
    Star.objects.create(user=user, change=starred)
    Star.objects.create(user=User.objects.create_user("other"), change=make())

    for query in ("is:starred", "has:star", "starredby:self", "starredby:jroe"):
        assert found(query) == numbers(starred), query
    with pytest.raises(UnsupportedOperator, match="other people's stars"):
        search("starredby:alice", context=context)


# --- the default field --------------------------------------------------------------------------


def test_a_bare_word_searches_the_default_fields(make, found, team, alice):
    numbered = make()
    owned = make(owner=alice)
    touching = make()
    ChangeFileFactory(change=touching, path="api-ref/source/index.rst")
    mentioned = make(commit_message="Update the api reference\n")
    topical = make(topic="quotas")
    api_ref = ChangeFactory(repository=RepositoryFactory(team=team, name="openstack/os-api-ref"))

    assert found(str(numbered.number)) == numbers(numbered)
    assert found("alice") == numbers(owned)
    assert found("api-ref") == numbers(touching)
    assert found("reference") == numbers(mentioned)
    assert found("quotas") == numbers(topical)
    # Meant as project:, read as projects: (and as message words, files…).
    assert found("openstack/os-api-ref") == numbers(api_ref)
    assert found("Project:openstack/os-api-ref") == set()


def test_change_and_commit(make, found):
    change = make(change_id="I8473b95934b5732ac55d26311a706c9c2bde9940")
    PatchSetFactory(change=change, number=1, revision="ab12cd34" + "0" * 32)
    make()
    assert found(f"change:{change.number}") == numbers(change)
    assert found("change:I8473b959") == found("I8473b959") == numbers(change)
    assert found("change:openstack/glance~master~I8473b959") == numbers(change)
    assert found("change:openstack/glance~stable/ocata~I8473b959") == set()
    assert found("commit:ab12cd") == numbers(change)


# --- what cannot be answered, and for whom -----------------------------------------------------


@pytest.mark.parametrize(
    ("query", "operator", "reason"),
    [
        ("status:open is:watched", "is:watched", "project watches"),
        ("has:draft", "has:draft", "private to their author"),
        ("is:attention", "is:attention", "attention set"),
        ("is:submittable", "is:submittable", "submit requirements"),
        ("NOT starredby:alice", "starredby:alice", "stars are not readable"),
        ("watchedby:alice", "watchedby:alice", "watches are not readable"),
        ("footer:Change-Id", "footer:Change-Id", "footers"),
        ("author:alice", "author:alice", "commit authors"),
        ("conflicts:123", "conflicts:123", "git repositories"),
        ("project:^openstack/a&b", "project:^openstack/a&b", '"&" (intersection)'),
        ("NOT branch:^~master", "branch:^~master", '"~" (complement)'),
    ],
)
def test_operators_without_synced_data_are_refused_by_name(context, query, operator, reason):
    with pytest.raises(UnsupportedOperator) as raised:
        search(query, context=context)
    assert raised.value.operator == operator
    assert reason in str(raised.value)
    assert raised.value.position == query.index(operator)


@pytest.mark.parametrize(
    "query",
    [
        "owner:self",
        "NOT reviewedby:me",
        "is:owner",
        "is:reviewer",
        "is:starred",
        "has:star",
        "starredby:self",
        "label:Code-Review>=1,self",
        "status:open (project:a OR reviewer:self)",
    ],
)
def test_queries_about_the_caller_need_a_signed_in_account(anonymous, query):
    with pytest.raises(NeedsSignIn, match="sign in"):
        search(query, context=anonymous)


def test_an_account_on_another_server_is_not_you(server, make):
    stranger = AccountFactory(server=GerritServerFactory())
    context = SearchContext(server=server, now=NOW, account=stranger)
    with pytest.raises(NeedsSignIn):
        search("owner:self", context=context)


# --- the whole thing: one query, no work before it ----------------------------------------------


DASHBOARD_SECTION = (
    "(project:openstack/glance OR projects:openstack/glance_) status:open "
    "NOT label:Workflow>=1 NOT label:Workflow<=-1 label:Verified>=1,zuul NOT owner:self "
    "label:Code-Review>=2 NOT label:Code-Review<=-1,glance-core NOT reviewedby:self "
    'branch:^stable/.* -age:1week file:^glance/.* message:"Closes-Bug:" hashtag:x '
    "NOT is:wip delta:<=100 reviewerin:glance-core is:starred limit:50"
)


def test_building_the_condition_runs_no_query(context, django_assert_num_queries):
    with django_assert_num_queries(0):
        to_q(parse(DASHBOARD_SECTION), context=context)


def test_a_full_dashboard_section_is_one_query(context, make, zuul, django_assert_num_queries):
    make()
    with django_assert_num_queries(1):
        assert list(search(DASHBOARD_SECTION, context=context)) == []


def test_context_for_a_tiller_user(server, me, user, team, django_assert_num_queries):
    TeamFactory(server=server, core_group="")
    with django_assert_num_queries(2):
        context = SearchContext.for_user(user, server=server, now=NOW)
    assert context.account == me
    assert context.groups == {"glance-core"}
    assert context.now == NOW
    assert context.starred is not None

    other_server = SearchContext.for_user(user, server=GerritServerFactory())
    assert other_server.account is None

    anonymous = SearchContext.for_user(AnonymousUser(), server=server)
    assert (anonymous.account, anonymous.starred) == (None, None)

    unlinked = SearchContext.for_user(User.objects.create_user("bob"), server=server)
    assert unlinked.account is None
    assert unlinked.starred is not None  # stars are Tiller's own


SELF_QUERIES = [
    "reviewedby:self",
    "NOT reviewedby:self",
    "label:Code-Review>=1,self",
    "label:Code-Review>=0,self",
    "NOT label:Code-Review>=0,self",
    "label:code-review=0,self",
    "NOT label:Code-Review<=-1,self NOT label:Code-Review>=1,self",
    "label:Verified=-1,self OR reviewedby:self",
]


@pytest.mark.parametrize("query", SELF_QUERIES)
def test_self_terms_match_what_naming_the_account_matches(make, found, me, alice, query):
    """``self`` and the account's user name (``jroe``) resolve differently (a literal
    primary key, a subquery on ``Account``) but must select the same changes."""

    def message(change, author, minutes):
        return MessageFactory(change=change, author=author, date=NOW - timedelta(minutes=minutes))

    make()  # untouched
    for value in (2, 1, -1, -2):
        change = make(owner=alice)
        vote(change, value, me)
        vote(change, -value, alice)
        message(change, me, 20)
    reset = make(owner=alice)
    message(reset, me, 20)
    message(reset, alice, 10)
    vote(reset, -1, me, label="Verified")
    mine = make(owner=me)
    message(mine, me, 30)
    vote(mine, 1, me)
    others = make(owner=alice)
    vote(others, 1, alice)
    message(others, alice, 5)

    assert found(query) == found(query.replace("self", "jroe"))
