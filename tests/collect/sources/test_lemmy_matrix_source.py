import pytest
from source_helpers import body

from community_metrics.collect.sources import lemmy, matrix
from community_metrics.collect.sources.base import SourceError

LEMMY_EXPECTED = {
    "members": 83456,
    "active_1d": 2345,
    "active_7d": 8765,
    "active_30d": 16543,
    "topics": 45678,
    "posts": 45678 + 1234567,
    "active_180d": 34567,
}


def test_lemmy_v3_nested_counts(httpserver, http, make_source):
    httpserver.expect_request(
        "/api/v3/community", query_string={"name": "technology"}
    ).respond_with_json(body("lemmy/community_v3.json"))
    result = lemmy.fetch(make_source("lemmy", "community", "!technology@lemmy.world"), http)
    assert result.metrics == LEMMY_EXPECTED
    assert result.extra == {"comments": 1234567}
    assert result.created_at == "2023-06-11T15:31:08Z"


def test_lemmy_v4_flattened_counts_and_published_at(httpserver, http, make_source):
    httpserver.expect_request("/api/v4/community").respond_with_json(
        body("lemmy/community_v4.json")
    )
    source = make_source("lemmy", "community", "technology@lemmy.world", version="v4")
    result = lemmy.fetch(source, http)
    assert result.metrics == LEMMY_EXPECTED
    assert result.created_at == "2023-06-11T15:31:08Z"


def test_lemmy_v4_shape_on_the_v3_path_is_read_too(httpserver, http, make_source):
    httpserver.expect_request("/api/v3/community").respond_with_json(
        body("lemmy/community_v4.json")
    )
    result = lemmy.fetch(make_source("lemmy", "community", "technology@lemmy.world"), http)
    assert result.metrics == LEMMY_EXPECTED


def test_piefed_names(httpserver, http, make_source):
    httpserver.expect_request("/api/alpha/community").respond_with_json(
        body("lemmy/community_piefed.json")
    )
    source = make_source("lemmy", "community", "piefed_meta@piefed.social", version="piefed")
    result = lemmy.fetch(source, http)
    assert result.metrics == {
        "members": 2345,
        "active_1d": 12,
        "active_7d": 87,
        "active_30d": 301,
        "topics": 678,
        "posts": 678 + 4321,
        "active_180d": 900,
    }
    assert result.created_at == "2024-01-04T02:19:35Z"


def test_lemmy_without_comments_leaves_posts_absent(httpserver, http, make_source):
    community = body("lemmy/community_v3.json")
    del community["community_view"]["counts"]["comments"]
    httpserver.expect_request("/api/v3/community").respond_with_json(community)
    result = lemmy.fetch(make_source("lemmy", "community", "technology@lemmy.world"), http)
    assert "posts" not in result.metrics
    assert result.metrics["topics"] == 45678


def test_lemmy_without_half_year_leaves_active_180d_absent(httpserver, http, make_source):
    community = body("lemmy/community_v3.json")
    del community["community_view"]["counts"]["users_active_half_year"]
    httpserver.expect_request("/api/v3/community").respond_with_json(community)
    result = lemmy.fetch(make_source("lemmy", "community", "technology@lemmy.world"), http)
    assert "active_180d" not in result.metrics
    assert result.metrics["active_30d"] == 16543


def test_lemmy_error_shape(httpserver, http, make_source):
    httpserver.expect_request("/api/v3/community").respond_with_json(
        {"error": "couldnt_find_community"}
    )
    with pytest.raises(SourceError, match="no 'community_view.community'"):
        lemmy.fetch(make_source("lemmy", "community", "nope@lemmy.world"), http)


def test_matrix_pages_with_since_until_the_alias_is_found(httpserver, http, make_source):
    httpserver.expect_request(
        "/_matrix/client/v3/publicRooms", query_string={"limit": "100"}
    ).respond_with_json(body("matrix/public_rooms_page1.json"))
    httpserver.expect_request(
        "/_matrix/client/v3/publicRooms", query_string={"limit": "100", "since": "p190q"}
    ).respond_with_json(body("matrix/public_rooms_page2.json"))
    result = matrix.fetch(make_source("matrix", "room", "#matrix:matrix.org"), http)
    # total_room_count_estimate (115) counts rooms, not people
    assert result.metrics == {"members": 12345}
    assert result.extra == {"directory_page": 2}


def test_matrix_page_bound(httpserver, http, make_source):
    httpserver.expect_request("/_matrix/client/v3/publicRooms").respond_with_json(
        body("matrix/public_rooms_page1.json")
    )
    source = make_source("matrix", "room", "#matrix:matrix.org", max_pages=1)
    with pytest.raises(SourceError, match="not found in the first 1 pages"):
        matrix.fetch(source, http)
    assert len(httpserver.log) == 1


def test_matrix_room_not_in_directory(httpserver, http, make_source):
    page = body("matrix/public_rooms_page1.json")
    del page["next_batch"]
    httpserver.expect_request("/_matrix/client/v3/publicRooms").respond_with_json(page)
    with pytest.raises(SourceError, match="is not in the public room directory"):
        matrix.fetch(make_source("matrix", "room", "#matrix:matrix.org"), http)


def test_matrix_401_is_explained(httpserver, http, make_source):
    httpserver.expect_request("/_matrix/client/v3/publicRooms").respond_with_json(
        {"errcode": "M_MISSING_TOKEN", "error": "Missing access token"}, status=401
    )
    with pytest.raises(SourceError, match="requires an access token to read its room directory"):
        matrix.fetch(make_source("matrix", "room", "#matrix:matrix.org"), http)
