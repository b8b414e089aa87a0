from __future__ import annotations

import pytest

from roster.creator_import import parse, to_fields
from roster.errors import BadRequest, PayloadTooLarge, ValidationFailed


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
