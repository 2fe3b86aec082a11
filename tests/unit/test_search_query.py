"""Stripe's search query language: parser, printer, field validation and page tokens."""

from __future__ import annotations

import base64
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seikyu.api.search_query import (
    MAX_CLAUSES,
    MAX_QUERY_LENGTH,
    Clause,
    Connective,
    FieldKind,
    Operator,
    SearchQuery,
    SearchQueryError,
    decode_page_token,
    encode_page_token,
    format_query,
    parse,
    validate,
)

CUSTOMER_FIELDS = {
    "email": FieldKind.STRING,
    "name": FieldKind.STRING,
    "id": FieldKind.TOKEN,
    "amount": FieldKind.NUMBER,
    "created": FieldKind.NUMBER,
    "active": FieldKind.BOOLEAN,
    "metadata": FieldKind.METADATA,
}


def one(text: str) -> Clause:
    query = parse(text)
    assert len(query.clauses) == 1
    return query.clauses[0]


def error_of(text: str) -> str:
    with pytest.raises(SearchQueryError) as caught:
        parse(text)
    assert caught.value.param == "query"
    message = caught.value.message
    assert message.startswith("Search query is invalid: ")
    return message


# ------------------------------------------------------------------------ valid queries


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('email:"jenny@example.com"', Clause("email", Operator.EQ, "jenny@example.com")),
        ('name~"jen"', Clause("name", Operator.CONTAINS, "jen")),
        ("created>1609459200", Clause("created", Operator.GT, "1609459200")),
        ("created<1609459200", Clause("created", Operator.LT, "1609459200")),
        ("amount>=100", Clause("amount", Operator.GTE, "100")),
        ("amount<=100", Clause("amount", Operator.LTE, "100")),
        ("amount:-5", Clause("amount", Operator.EQ, "-5")),
        ("amount:10.5", Clause("amount", Operator.EQ, "10.5")),
        ('amount:"100"', Clause("amount", Operator.EQ, "100")),
        ('active:"true"', Clause("active", Operator.EQ, "true")),
        ('-email:"a@b.com"', Clause("email", Operator.EQ, "a@b.com", negated=True)),
        ('metadata["order_id"]:"6735"', Clause("metadata", Operator.EQ, "6735", key="order_id")),
        ('metadata["x"]:null', Clause("metadata", Operator.EQ, None, key="x")),
        ('-metadata["x"]:null', Clause("metadata", Operator.EQ, None, key="x", negated=True)),
        ('metadata["x"]:"null"', Clause("metadata", Operator.EQ, "null", key="x")),
        ('email:""', Clause("email", Operator.EQ, "")),
        ('name:"say \\"hi\\""', Clause("name", Operator.EQ, 'say "hi"')),
        ('name:"back\\\\slash"', Clause("name", Operator.EQ, "back\\slash")),
        ('name:"C:\\dir"', Clause("name", Operator.EQ, "C:\\dir")),  # unknown escape: literal
        ('metadata["a \\"b\\" c.d"]:"v"', Clause("metadata", Operator.EQ, "v", key='a "b" c.d')),
        ('name:"AND OR -x:y"', Clause("name", Operator.EQ, "AND OR -x:y")),
        ('name:"émoji 🎉"', Clause("name", Operator.EQ, "émoji 🎉")),
        (
            "payment_method_details.card.last4:4242",
            Clause("payment_method_details.card.last4", Operator.EQ, "4242"),
        ),
    ],
)
def test_parses_one_clause(text: str, expected: Clause) -> None:
    assert one(text) == expected


def test_clause_records_where_it_starts() -> None:
    query = parse('  email:"a@b.c" AND   -name~"jen"')
    assert [c.position for c in query.clauses] == [2, 22]


def test_a_single_clause_is_joined_by_and() -> None:
    assert parse('email:"a@b.c"').connective is Connective.AND
    clause = Clause("email", Operator.EQ, "x")
    assert SearchQuery((clause,), Connective.OR) == SearchQuery((clause,), Connective.AND)


@pytest.mark.parametrize("connective", list(Connective))
def test_clauses_joined_by_one_connective(connective: Connective) -> None:
    text = f' email:"a@b.c"\t{connective}\n name~"jen"  {connective} amount>5 '
    assert parse(text) == SearchQuery(
        (
            Clause("email", Operator.EQ, "a@b.c"),
            Clause("name", Operator.CONTAINS, "jen"),
            Clause("amount", Operator.GT, "5"),
        ),
        connective,
    )


def test_ten_clauses_are_allowed() -> None:
    text = " AND ".join(f"amount>{n}" for n in range(MAX_CLAUSES))
    assert len(parse(text).clauses) == MAX_CLAUSES


def test_position_is_excluded_from_equality() -> None:
    assert Clause("a", Operator.EQ, "b", position=0) == Clause("a", Operator.EQ, "b", position=9)


# ------------------------------------------------------------------------ syntax errors


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("", ["the query is empty"]),
        ("   \t", ["the query is empty"]),
        (':"x"', ["expected a field name at position 0"]),
        ('1email:"x"', ["expected a field name at position 0"]),
        ('--email:"x"', ["expected a field name at position 1"]),
        ("-", ["expected a field name at position 1 (end of query)"]),
        ('email "x"', ["expected an operator", "'email' at position 5"]),
        ('email = "x"', ["expected an operator", "position 5"]),
        ('email=="x"', ["expected an operator", "position 5"]),
        ("email:", ["expected a value after 'email:' at position 6 (end of query)"]),
        ('email: "x"', ["expected a value after 'email:' at position 6"]),
        ("email:jenny", ["unquoted value 'jenny' at position 6", 'write email:"jenny"']),
        ("active:true", ["unquoted value 'true'", 'write active:"true"']),
        ("amount>1e5", ["unquoted value '1e5'"]),
        ('email:"jenny', ["unterminated string starting at position 6"]),
        ('email:"jenny\\"', ["unterminated string starting at position 6"]),
        ('metadata["k:"v"', ["expected ']' to close the key at position 13 (near 'v\"')"]),
        ('metadata["k"', ["expected ']' to close the key at position 12 (end of query)"]),
        ('metadata["k:"v"]', ["expected ']'"]),
        ('metadata[k]:"v"', ["expected a double-quoted key after '[' at position 9"]),
        ('metadata[""]:"v"', ["the key in brackets must not be empty at position 9"]),
        ('metadata["', ["unterminated string starting at position 9"]),
        ('email:"a" and name:"b"', ["'and' must be written in uppercase at position 10"]),
        ('email:"a" Or name:"b"', ["'Or' must be written in uppercase"]),
        ('email:"a" name:"b"', ["expected AND or OR between clauses at position 10"]),
        ('email:"a"name:"b"', ["unexpected 'n' after a value at position 9"]),
        ("amount:5x", ["unquoted value '5x'"]),
        ('email:"a" AND', ["expected a clause after AND at position 13 (end of query)"]),
        ('email:"a" AND ', ["expected a field name at position 14 (end of query)"]),
        ('email:"a" ANDname:"b"', ["expected AND or OR between clauses at position 10"]),
        ('email:"a" OR"b"', ["expected a clause after OR at position 12"]),
        ('AND email:"a"', ["expected an operator", "'AND' at position 3"]),
        (
            'email:"a" AND name:"b" OR amount>1',
            ["AND and OR cannot be combined", "AND at position 10, then OR at position 23"],
        ),
        ("amount>null", ["null can only be used with ':', not '>' at position 0"]),
        ("name~null", ["null can only be used with ':', not '~'"]),
        ('name~"ab"', ["substring match (~) needs at least 3 characters", "'ab'", "position 0"]),
        ('email:"a" AND name~""', ["at least 3 characters", "position 14"]),
    ],
)
def test_syntax_errors_say_what_and_where(text: str, fragments: list[str]) -> None:
    message = error_of(text)
    for fragment in fragments:
        assert fragment in message


def test_more_than_ten_clauses_is_an_error_at_the_eleventh() -> None:
    clauses = [f"amount>{n}" for n in range(MAX_CLAUSES + 1)]
    text = " OR ".join(clauses)
    message = error_of(text)
    assert f"at most {MAX_CLAUSES} clauses" in message
    assert f"position {text.index(clauses[-1])}" in message


def test_overlong_query_is_rejected() -> None:
    assert "maximum is 5000" in error_of('name:"' + "x" * MAX_QUERY_LENGTH + '"')


# --------------------------------------------------------------------------- validation


def check(text: str) -> str:
    with pytest.raises(SearchQueryError) as caught:
        validate(parse(text), CUSTOMER_FIELDS)
    return caught.value.message


def test_validate_returns_the_query() -> None:
    query = parse(
        'email:"a@b.c" AND name~"jen" AND id:"cus_1" AND amount>=5 AND created<1 '
        'AND active:"FALSE" AND -metadata["k"]:null AND email:null AND amount:"7"'
    )
    assert validate(query, CUSTOMER_FIELDS) is query


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        (
            'phone:"123"',
            [
                "unknown field 'phone' in the clause at position 0",
                'active, amount, created, email, id, metadata["<key>"], name',
            ],
        ),
        ('email["x"]:"y"', ["'email' does not take a key in brackets", "position 0"]),
        ('email:"a" AND metadata:"y"', ["metadata needs a key in brackets", "position 14"]),
        ('id~"cus_"', ["substring match (~) is only supported on text fields, not on 'id'"]),
        ('amount~"100"', ["substring match (~) is only supported on text fields"]),
        ('metadata["k"]~"abc"', ["only supported on text fields, not on 'metadata'"]),
        ('name>"b"', ["'>' is only supported on numeric fields, not on 'name'"]),
        ('active<="true"', ["'<=' is only supported on numeric fields"]),
        ('metadata["k"]>=5', ["'>=' is only supported on numeric fields"]),
        ("amount>10.5", ["'amount' must be compared with an integer", 'amount>"10.5"']),
        ('amount:"ten"', ["'amount' must be compared with an integer"]),
        ("amount>9223372036854775808", ["out of range"]),
        ('active:"yes"', ['\'active\' must be "true" or "false"']),
    ],
)
def test_validation_errors_name_the_problem(text: str, fragments: list[str]) -> None:
    message = check(text)
    assert message.startswith("Search query is invalid: ")
    for fragment in fragments:
        assert fragment in message


def test_int64_bounds_are_accepted() -> None:
    validate(parse("amount>9223372036854775807 AND amount<-9223372036854775808"), CUSTOMER_FIELDS)


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        (SearchQuery(()), "no clauses"),
        (SearchQuery((Clause("amount", Operator.GT, "1"),) * 11), "at most 10 clauses"),
        (SearchQuery((Clause("name", Operator.CONTAINS, "ab"),)), "at least 3 characters"),
    ],
)
def test_validate_checks_hand_built_queries(query: SearchQuery, fragment: str) -> None:
    with pytest.raises(SearchQueryError, match=re.escape(fragment)):
        validate(query, CUSTOMER_FIELDS)


# ---------------------------------------------------------------- printing (properties)

names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.]{0,12}", fullmatch=True)
texts = st.text(max_size=12)


@st.composite
def clauses(draw: st.DrawFn) -> Clause:
    operator = draw(st.sampled_from(list(Operator)))
    if operator is Operator.EQ:
        value = draw(st.none() | texts)
    elif operator is Operator.CONTAINS:
        value = draw(st.text(min_size=3, max_size=12))
    else:
        value = draw(texts)
    key = draw(st.none() | st.text(min_size=1, max_size=12))
    return Clause(draw(names), operator, value, key, draw(st.booleans()))


queries = st.builds(
    SearchQuery,
    st.lists(clauses(), min_size=1, max_size=MAX_CLAUSES).map(tuple),
    st.sampled_from(list(Connective)),
)


@given(queries)
def test_printed_query_parses_back_to_the_same_ast(query: SearchQuery) -> None:
    assert parse(format_query(query)) == query


@given(queries)
def test_printing_is_canonical(query: SearchQuery) -> None:
    text = format_query(query)
    assert format_query(parse(text)) == text


def test_format_query_example() -> None:
    query = parse('-metadata["k\\"ey"]:null OR amount>=5 OR name:"a\\\\b"')
    assert format_query(query) == '-metadata["k\\"ey"]:null OR amount>="5" OR name:"a\\\\b"'


grammar_soup = st.text(alphabet='aemt_:~<>=-"\\[] \tANDOR1.5null', max_size=40)


@given(st.text(max_size=60) | grammar_soup)
def test_any_text_parses_or_raises_search_query_error(text: str) -> None:
    try:
        query = parse(text)
    except SearchQueryError as error:
        message = error.message
    else:
        assert 1 <= len(query.clauses) <= MAX_CLAUSES
        assert parse(format_query(query)) == query
        return
    assert message.startswith("Search query is invalid: ")


# --------------------------------------------------------------------------- page tokens


@given(st.text(max_size=200))
def test_page_token_round_trips(cursor: str) -> None:
    token = encode_page_token(cursor)
    assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
    assert decode_page_token(token) == cursor


def test_page_token_is_opaque() -> None:
    assert "cus_123" not in encode_page_token("cus_123")


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "not a token",
        "abc=",
        "a",  # impossible base64 length
        base64.urlsafe_b64encode(b"cus_123").decode().rstrip("="),  # no marker
        base64.urlsafe_b64encode(b"\xff\xfe\xfd").decode(),  # not UTF-8
        encode_page_token("x")[:-2],
        "A" * (MAX_QUERY_LENGTH + 4),
    ],
)
def test_garbage_page_token_is_rejected_as_page_error(garbage: str) -> None:
    with pytest.raises(SearchQueryError, match="Invalid page token") as caught:
        decode_page_token(garbage)
    assert caught.value.param == "page"
