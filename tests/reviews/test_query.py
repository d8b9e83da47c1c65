"""Gerrit's search language, text to tree and tree to words (facts §6.1): pinned by tables."""

from __future__ import annotations

import pytest

from dashboard.reviews.query import (
    DEFAULT_FIELD,
    And,
    Not,
    Or,
    QuerySyntaxError,
    Term,
    combine,
    describe,
    limit_of,
    parse,
    terms,
)


def t(operator: str, value: str, position: int) -> Term:
    return Term(operator, value, position)


def w(value: str, position: int) -> Term:
    return Term(DEFAULT_FIELD, value, position)


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        # Operators, values, positions.
        ("status:open", t("status", "open", 0)),
        ("  owner:self", t("owner", "self", 2)),
        ("owner: self", t("owner", "self", 0)),  # whitespace after the colon is tolerated
        ("owner :self", t("owner", "self", 0)),  # and before it: Query.g hides whitespace
        ("message:foo:bar", t("message", "foo:bar", 0)),  # a colon inside a value
        ('message:"Closes-Bug: "', t("message", "Closes-Bug: ", 0)),
        ("message:{a b}", t("message", "a b", 0)),
        (r'message:"say \"hi\" \\ \n"', t("message", 'say "hi" \\ \n', 0)),
        (r"comment:{a \} b}", t("comment", "a } b", 0)),
        ('topic:""', t("topic", "", 0)),
        ("label:Code-Review>=2,self", t("label", "Code-Review>=2,self", 0)),
        ("label:Code-Review-1", t("label", "Code-Review-1", 0)),
        ("project:^openstack/.*-specs", t("project", "^openstack/.*-specs", 0)),
        (r"file:^doc\/source", t("file", r"^doc\/source", 0)),
        ("owner:jane@example.org", t("owner", "jane@example.org", 0)),
        ("reviewer:10068", t("reviewer", "10068", 0)),
        # Aliases resolve to the canonical operator.
        ("m:DNM", t("message", "DNM", 0)),
        ("f:hyperv", t("file", "hyperv", 0)),
        ("size:<=10", t("delta", "<=10", 0)),
        ("since:2017-01-01", t("after", "2017-01-01", 0)),
        ("until:2017-01-01", t("before", "2017-01-01", 0)),
        ("o:self", t("owner", "self", 0)),
        ("r:self", t("reviewer", "self", 0)),
        ("repo:openstack/nova", t("project", "openstack/nova", 0)),
        # Operator names are lower case; anything else is a default-field word.
        ("Project:foo", w("Project:foo", 0)),
        ("openstack/os-api-ref", w("openstack/os-api-ref", 0)),
        ('"two words"', w("two words", 0)),
        ("12345", w("12345", 0)),
        ("ANDroid", w("ANDroid", 0)),
        ("foo-bar", w("foo-bar", 0)),
        # Boolean structure.
        ("a b", And((w("a", 0), w("b", 2)))),
        ("a AND b", And((w("a", 0), w("b", 6)))),
        ("a and b", And((w("a", 0), w("b", 6)))),
        ("a OR b", Or((w("a", 0), w("b", 5)))),
        ("a or b", Or((w("a", 0), w("b", 5)))),
        ("NOT a", Not(w("a", 4))),
        ("not a", Not(w("a", 4))),
        ("-a", Not(w("a", 1))),
        ("-age:1week", Not(t("age", "1week", 1))),
        ("NOT(a)", Not(w("a", 4))),
        ("NOT (a b)", Not(And((w("a", 5), w("b", 7))))),
        ("(a)", w("a", 1)),
    ],
)
def test_parse_builds_the_tree(text, tree):
    assert parse(text) == tree


@pytest.mark.parametrize(
    ("text", "same_as"),
    [
        # AND binds tighter than OR (the grammar, not the user documentation).
        ("a b OR c", "(a b) OR c"),
        ("a OR b c", "a OR (b c)"),
        ("a AND b OR c AND d", "(a b) OR (c d)"),
        ("a OR b OR c", "(a OR b) OR c"),
        # NOT and - bind tightest: to one term or one group.
        ("NOT a b", "(NOT a) b"),
        ("-a b", "(NOT a) b"),
        ("NOT a OR b", "(NOT a) OR b"),
        ("a NOT b OR c", "(a (NOT b)) OR c"),
        ("NOT (a OR b) c", "(NOT (a OR b)) AND c"),
        # Nesting of one kind flattens; explicit and implicit AND are the same.
        ("a AND b c", "a b c"),
        ("(a b) (c d)", "a b c d"),
    ],
)
def test_precedence(text, same_as):
    def shape(node):
        if isinstance(node, Term):
            return node.value
        if isinstance(node, Not):
            return ("NOT", shape(node.child))
        return (type(node).__name__, tuple(shape(child) for child in node.children))

    assert shape(parse(text)) == shape(parse(same_as))


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("", "The query is empty", 0),
        ("   ", "The query is empty", 0),
        ("status:open owner:self )", 'Unexpected ")" at position 23', 23),
        ("frobnicate:x", 'Unsupported operator "frobnicate" at position 0', 0),
        ("is:open frob-nicate:x", 'Unsupported operator "frob-nicate" at position 8', 8),
        (
            'message:"abc',
            "Missing closing quote for the value starting at position 8",
            8,
        ),
        ("message:{abc", "Missing closing brace for the value starting at position 8", 8),
        ('message:"abc\\"', "Missing closing quote for the value starting at position 8", 8),
        ("(a OR b", 'Missing ")" to close the "(" at position 0', 7),
        ("()", 'Expected a search term after "(" at position 0, found ")" at position 1', 1),
        ("a AND", 'Expected a search term after "AND" at position 2', 5),
        ("AND a", 'Unexpected "AND" at position 0', 0),
        ("a OR OR b", 'Expected a search term after "OR" at position 2', 5),
        ("NOT", 'Expected a search term after "NOT" at position 0', 3),
        ("NOT NOT a", 'Expected a search term after "NOT" at position 0', 4),
        ("- a b", "", None),  # valid: whitespace after "-" is insignificant
        ("--a", 'Expected a search term after "-" at position 0', 1),
        ("owner:", 'Expected a value after "owner:" at position 5', 6),
        ("owner: )", 'Expected a value after "owner:" at position 5', 7),
        ("owner:and", 'quote "and" to search for the word itself', 6),
        ("delta:-5", 'Expected a value after "delta:"', 6),
        ("message:Closes-Bug:", 'A value cannot end with ":" at position 18', 18),
        ('"phrase":x', 'Unexpected ":" at position 8', 8),
        ("a ! b", 'Unexpected "!" at position 2', 2),
        ("project:foo$", 'Unexpected "$" at position 11', 11),
        ("message:{a{b}", 'Unexpected "{" inside braces at position 10', 10),
        # Values are checked when parsed, with the term's position.
        ("is:open age:5x", 'Invalid age "5x" at position 8', 8),
        ("status:frozen", 'Unknown status "frozen" at position 0', 0),
        ("is:frozen", 'Unknown value "is:frozen" at position 0', 0),
        ("has:cake", 'Unknown value "has:cake" at position 0', 0),
        ("limit:many", 'Invalid limit "many" at position 0', 0),
        ("limit:0", 'Invalid limit "0" at position 0', 0),
        ("delta:about10", 'Invalid size "about10" at position 0', 0),
        ("after:yesterday", 'Invalid date "yesterday" at position 0', 0),
        ("before:2017-02-30", 'Invalid date "2017-02-30" at position 0', 0),
        ("change:abc", 'Invalid change "abc" at position 0', 0),
        ("label:Code-Review+1,a,b", "More than one user or group", 0),
        ("label:Code-Review+1,user=a,user=a", 'Duplicate label argument "user"', 0),
        ("label:Code-Review+1,colour=red", 'Invalid label argument "colour"', 0),
        ('project:"^openstack/(nova"', 'Invalid regular expression "^openstack/(nova"', 0),
        ('x "^[ab"', 'Invalid regular expression "^[ab" at position 2', 2),
        ("a [b]", 'Unexpected "[" at position 2', 2),
    ],
)
def test_syntax_errors_name_the_problem_and_its_position(text, message, position):
    if position is None:
        parse(text)
        return
    with pytest.raises(QuerySyntaxError) as raised:
        parse(text)
    assert message in str(raised.value)
    assert raised.value.position == position


@pytest.mark.parametrize(
    ("foreach", "query", "combined"),
    [
        ("project:a status:open", "owner:self", "(project:a status:open) (owner:self)"),
        ("project:a OR project:b", "is:open", "(project:a OR project:b) (is:open)"),
        ("status:open", "", "status:open"),
        ("status:open", "   ", "status:open"),
        ("", "owner:self", "owner:self"),
        ("  ", "", ""),
    ],
)
def test_combine_parenthesises_foreach_and_section_query(foreach, query, combined):
    assert combine(foreach, query) == combined


def test_combining_keeps_a_top_level_or_from_leaking():
    # Joined with a bare space, "a OR b c" would mean "a OR (b AND c)".
    tree = parse(combine("project:a OR project:b", "owner:self"))
    assert isinstance(tree, And)
    assert isinstance(tree.children[0], Or)


def test_combining_two_empty_parts_is_an_empty_query():
    with pytest.raises(QuerySyntaxError, match="empty"):
        parse(combine("", ""))


@pytest.mark.parametrize(
    ("text", "limit"),
    [
        ("status:open", None),
        ("status:open limit:50", 50),
        ("limit:10 status:open limit:5", 10),  # the first one wins, as in Gerrit
        ("(a OR limit:7) limit:3", 7),
    ],
)
def test_limit_of(text, limit):
    assert limit_of(parse(text)) == limit


def test_terms_are_listed_in_reading_order():
    tree = parse("(a OR NOT b) m:c:d")
    assert [term.value for term in terms(tree)] == ["a", "b", "c:d"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            "project:openstack/glance status:open label:Code-Review>=2 NOT reviewedby:self",
            "open changes in openstack/glance with Code-Review ≥ +2 from anyone, "
            "not reviewed by you",
        ),
        (
            "(project:openstack/nova OR project:openstack/os-vif) status:open "
            "NOT label:Code-Review<=-1 NOT label:Code-Review>=1 age:5d limit:50",
            "open changes in openstack/nova or openstack/os-vif without Code-Review ≤ -1 from "
            "anyone, without Code-Review ≥ +1 from anyone, not updated for 5 days (at most 50)",
        ),
        ("is:open -age:1week", "open changes updated in the last 1 week"),
        ("status:merged owner:self", "merged changes owned by you"),
        ("is:starred is:mergeable", "changes starred by you, that are mergeable"),
        ("NOT is:wip", "changes that are not work in progress"),
        ("label:Code-Review", "changes with Code-Review +1 from anyone"),
        ("label:Code-Review=0", "changes with no Code-Review vote from anyone"),
        ("NOT label:Code-Review=0", "changes with a Code-Review vote from anyone"),
        ("label:Code-Review-2,self", "changes with Code-Review -2 from you"),
        ("label:Verified>=1,zuul", "changes with Verified ≥ +1 from zuul"),
        (
            "label:Code-Review<=-1,group=nova-core",
            "changes with Code-Review ≤ -1 from a member of nova-core",
        ),
        ("label:Workflow>0,owner", "changes with Workflow > 0 from the owner"),
        ("label:Review-Priority==1", "changes with Review-Priority= +1 from anyone"),
        ("branch:^stable/.*", "changes on a branch matching ^stable/.*"),
        ("branch:master topic:bug/1", "changes on branch master with topic bug/1"),
        ('topic:""', "changes without a topic"),
        ('message:"Closes-Bug:"', 'changes with "Closes-Bug:" in the commit message'),
        ("file:hyperv delta:<=10", "changes touching hyperv, with at most 10 lines changed"),
        ("delta:>400", "changes with more than 400 lines changed"),
        ("reviewerin:nova-core", "changes with a reviewer from nova-core"),
        ("starredby:jane", "changes starred by jane"),
        ("is:watched", "changes watched by you"),
        ("openstack/os-api-ref", 'changes matching "openstack/os-api-ref"'),
        ("a b OR c", 'changes (matching "a" and matching "b") or matching "c"'),
        ("NOT (owner:self OR reviewer:self)", "changes not (owned by you or with you as reviewer)"),
    ],
)
def test_describe_says_what_gerrit_evaluates(text, words):
    assert describe(parse(text)) == words
