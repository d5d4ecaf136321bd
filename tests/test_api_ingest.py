"""POST /api/v1/stories/: ingest one story through the ingest service, only with a token whose user
may add stories; everything else in the API is read-only."""

import random

import pytest
from django.contrib.auth.models import Permission
from rest_framework.authtoken.models import Token

from stories.models import MergeRecord, Story

from .factories import UserFactory

pytestmark = pytest.mark.django_db

STORIES = "/api/v1/stories/"
VOCABULARY = [f"w{n}" for n in range(5000)]


def token_for(user):
    return {"Authorization": f"Token {Token.objects.create(user=user).key}"}


@pytest.fixture
def reader():
    return token_for(UserFactory(username="api-reader"))


@pytest.fixture
def ingester():
    user = UserFactory(username="api-ingester")
    user.user_permissions.add(Permission.objects.get(codename="add_story", content_type__app_label="stories"))
    return token_for(user)


def post(client, headers, **item):
    return client.post(STORIES, item, content_type="application/json", headers=headers)


def article(**extra):
    words = " ".join(random.Random(7).choices(VOCABULARY, k=300))
    return {
        "title": "Japan to send officers",
        "body": words,
        "url": "https://wire.example/1",
        "source": "Wire",
        **extra,
    }


# The permission matrix --------------------------------------------------------------------------


def test_anonymous_post_answers_401_saying_how_to_authenticate(client):
    response = post(client, {}, **article())
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert "Authorization: Token <key>" in response.json()["detail"]
    assert not Story.objects.exists()


def test_an_unknown_token_answers_401(client):
    response = post(client, {"Authorization": "Token not-a-real-token"}, **article())
    assert response.status_code == 401 and response.json()["detail"] == "Invalid token."
    assert client.get(STORIES, headers={"Authorization": "Token not-a-real-token"}).status_code == 401


def test_a_token_without_the_add_story_permission_answers_403_naming_it(client, reader):
    response = post(client, reader, **article())
    assert response.status_code == 403
    assert "stories.add_story" in response.json()["detail"]
    assert not Story.objects.exists()


def test_a_token_with_the_add_story_permission_ingests_a_new_story(client, ingester):
    response = post(client, ingester, **article(published_at="2026-05-29T09:00:00+09:00"))
    assert response.status_code == 201
    body = response.json()
    assert (body["outcome"], body["duplicate"]) == ("new", False)
    story = Story.objects.get()
    assert body["story"]["slug"] == story.slug and body["story"]["status"] == "new"
    assert (story.url, story.source.name, story.published_at.isoformat()) == (
        "https://wire.example/1",
        "Wire",
        "2026-05-29T00:00:00+00:00",
    )
    # it waits for an editor: not in the public list yet (rule 1)
    assert client.get(STORIES).json()["count"] == 0


@pytest.mark.parametrize("who", ["anonymous", "reader", "ingester"])
def test_everyone_may_read(client, who, reader, ingester):
    headers = {"anonymous": {}, "reader": reader, "ingester": ingester}[who]
    for url in (STORIES, "/api/v1/claims/", "/api/v1/sources/", "/api/v1/timeline/", "/api/v1/timeline.json"):
        assert client.get(url, headers=headers).status_code == 200


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_nobody_may_change_or_delete_through_the_api(client, method):
    superuser = UserFactory(username="chief", is_superuser=True)
    response = getattr(client, method)(
        f"{STORIES}anything/", {}, content_type="application/json", headers=token_for(superuser)
    )
    assert response.status_code == 405


def test_only_stories_can_be_posted(client):
    superuser = token_for(UserFactory(username="chief", is_superuser=True))
    for url in ("/api/v1/claims/", "/api/v1/sources/", "/api/v1/timeline/"):
        assert client.post(url, {}, content_type="application/json", headers=superuser).status_code == 405


# Duplicates answer with the canonical story -------------------------------------------------------


def test_the_same_item_twice_changes_nothing_and_says_so(client, ingester):
    first = post(client, ingester, **article()).json()
    again = post(client, ingester, **article())
    assert again.status_code == 200
    body = again.json()
    assert (body["outcome"], body["duplicate"], body["message"]) == ("unchanged", True, "already stored")
    assert body["story"]["slug"] == first["story"]["slug"]
    assert Story.objects.count() == 1


def test_an_exact_copy_under_another_url_answers_with_the_stored_story(client, ingester):
    first = post(client, ingester, **article()).json()
    body = post(client, ingester, **article(url="https://mirror.example/copy", source="Mirror")).json()
    assert (body["outcome"], body["duplicate"]) == ("unchanged", True)
    assert body["message"] == "exact copy of “Japan to send officers”"
    assert body["story"]["slug"] == first["story"]["slug"]
    assert Story.objects.count() == 1


def test_a_near_copy_is_merged_and_answers_with_the_canonical_story(client, ingester):
    first = post(client, ingester, **article()).json()
    words = article()["body"].split()
    words[150] = "edited"
    response = post(client, ingester, **article(body=" ".join(words), url="https://mirror.example/near"))
    assert response.status_code == 200
    body = response.json()
    assert (body["outcome"], body["duplicate"]) == ("merged", True)
    assert (
        body["message"].startswith("near copy (0.9")
        and "merged into “Japan to send officers”" in body["message"]
    )
    assert body["story"]["slug"] == first["story"]["slug"]
    record = MergeRecord.objects.get()
    assert record.canonical.slug == first["story"]["slug"]
    assert record.merged_by.username == "api-ingester"


# Bad input: a clear 400, nothing stored ------------------------------------------------------------


@pytest.mark.parametrize(
    ("item", "key", "words"),
    [
        ({"body": "no title"}, "title", "required"),
        ({"title": ""}, "title", "blank"),
        ({"title": ["a list"]}, "title", "valid string"),
        ({"title": "T", "published_at": "the 31st of February"}, "published_at", "wrong format"),
        (
            {"title": "T", "source": "Wire", "url": "ftp://wire.example/1"},
            "detail",
            "bad URL 'ftp://wire.example/1'",
        ),
        (
            {"title": "T", "source": "Wire", "body": "<script>alert(1)</script>"},
            "detail",
            "body contains HTML",
        ),
        ({"title": "T", "source": "Wire", "body": "x" * 200_001}, "detail", "over the limit"),
        (
            {"title": "T", "source": "Wire", "published_at": "2999-01-01T00:00:00Z"},
            "published_at",
            "in the future",
        ),
    ],
)
def test_bad_input_answers_400_naming_the_problem_and_stores_nothing(client, ingester, item, key, words):
    response = post(client, ingester, **item)
    assert response.status_code == 400
    message = response.json()[key]
    assert words in (message if isinstance(message, str) else message[0])
    assert not Story.objects.exists()


def test_a_body_that_is_not_json_answers_400(client, ingester):
    response = client.post(STORIES, "title=x", content_type="application/json", headers=ingester)
    assert response.status_code == 400 and "JSON parse error" in response.json()["detail"]
