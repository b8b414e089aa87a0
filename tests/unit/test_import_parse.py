from __future__ import annotations

import time

import pytest

from roster.errors import BadRequest, PayloadTooLarge, ValidationFailed
from roster.program.creator_import import parse, to_fields


def test_parse_reads_rows_with_line_numbers_and_skips_blank_lines() -> None:
    text = "Name,EMAIL,instagram,instagram_followers\nMaya,maya@example.com,@maya,25000\n\n,,,\nLeo,leo@example.com,,\n"
    rows = parse(text, max_rows=10)
    assert rows == [
        (
            2,
            {
                "name": "Maya",
                "email": "maya@example.com",
                "instagram": "@maya",
                "instagram_followers": "25000",
            },
        ),
        (5, {"name": "Leo", "email": "leo@example.com"}),
    ]


@pytest.mark.parametrize(
    "header, problem",
    [
        ("name,email,favourite_colour", "unknown column 'favourite_colour'"),
        ("name,instagram", "missing required column 'email'"),
        ("name,email,email", "appears twice"),
    ],
)
def test_bad_header_rejects_the_whole_file(header: str, problem: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        parse(header + "\n", max_rows=10)
    assert any(problem in d["message"] for d in err.value.details)


def test_empty_file_and_row_limit() -> None:
    with pytest.raises(ValidationFailed, match="empty"):
        parse("", max_rows=10)
    body = "name,email\n" + "".join(f"n{i},n{i}@example.com\n" for i in range(4))
    assert len(parse(body, max_rows=4)) == 4
    with pytest.raises(PayloadTooLarge, match="at most 3 rows"):
        parse(body, max_rows=3)


def test_unreadable_csv_is_a_bad_request() -> None:
    with pytest.raises(BadRequest, match="unreadable CSV"):
        parse('name,email\n"Maya"x,maya@example.com\n', max_rows=10)


def test_to_fields_groups_platforms_tags_and_engagement() -> None:
    fields = to_fields(
        {
            "name": "Maya",
            "email": "maya@example.com",
            "tags": "trail; running|outdoors",
            "youtube": "mayaruns",
            "youtube_feed": "https://www.youtube.com/feeds/videos.xml?channel_id=UC1",
            "engagement_rate": "3.5",
        }
    )
    assert fields == {
        "name": "Maya",
        "email": "maya@example.com",
        "tags": ["trail", " running", "outdoors"],
        "engagement": {"engagement_rate": "3.5"},
        "platforms": {
            "youtube": {
                "handle": "mayaruns",
                "feed_url": "https://www.youtube.com/feeds/videos.xml?channel_id=UC1",
            }
        },
    }


@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_comma_semicolon_and_tab_separated_files_read_the_same(separator: str) -> None:
    """Excel writes `;` where the decimal separator is a comma (most of Europe), often with a BOM."""
    lines = [
        ["name", "email", "tags", "instagram_followers"],
        ["Maya", "maya@example.com", '"trail;running"', "42000"],
        ["Leo", "leo@example.com", "road|trail", ""],
    ]
    text = "\ufeff" + "".join(separator.join(cells) + "\r\n" for cells in lines)
    assert parse(text, max_rows=10) == [
        (
            2,
            {
                "name": "Maya",
                "email": "maya@example.com",
                "tags": "trail;running",
                "instagram_followers": "42000",
            },
        ),
        (3, {"name": "Leo", "email": "leo@example.com", "tags": "road|trail"}),
    ]


def test_the_separator_is_the_one_the_header_uses() -> None:
    # Cells may hold the other separators; only the header decides.
    rows = parse("name;email;notes\nMaya;maya@example.com;likes a, b and c\n", max_rows=10)
    assert rows == [(2, {"name": "Maya", "email": "maya@example.com", "notes": "likes a, b and c"})]
    assert parse("name\tEmail\nA, B\ta@example.com\n", max_rows=10) == [
        (2, {"name": "A, B", "email": "a@example.com"})
    ]


def test_a_header_over_the_column_cap_is_refused_quickly() -> None:
    """40,000 columns (a 269 KB header) took 13 s, past the function's timeout: the duplicate check
    was quadratic. Now the cap answers first and every check is linear."""
    header = ",".join(f"c{i}" for i in range(40_000))
    started = time.perf_counter()
    with pytest.raises(ValidationFailed, match="at most 200") as err:
        parse(header + "\n", max_rows=10)
    assert time.perf_counter() - started < 0.5
    assert err.value.details == [{"field": "header", "message": "40000 columns; at most 200"}]


def test_header_checks_are_linear_up_to_the_cap() -> None:
    header = ",".join(["name", "email"] + ["tags"] * 198)
    started = time.perf_counter()
    with pytest.raises(ValidationFailed) as err:
        parse(header + "\n", max_rows=10)
    assert time.perf_counter() - started < 0.1
    assert err.value.details == [{"field": "header", "message": "column 'tags' appears 198 times"}]


def test_a_cell_larger_than_the_body_limit_allows_is_a_bad_request() -> None:
    with pytest.raises(BadRequest, match="unreadable CSV"):
        parse("name,email\n" + "x" * 200_000 + ",a@example.com\n", max_rows=10)
