import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from stories.models import Claim, Story, TimelineEntry, Verdict

from .admin_personas import desk_groups, member, roles_migration
from .factories import ClaimFactory, EntryFactory, StoryFactory, UserFactory


def codenames(group):
    return {
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
    }


@pytest.mark.django_db
def test_the_roles_migration_creates_the_editors_and_chief_editors_groups():
    # The migration's own code, on the models as they were at that migration.
    Group.objects.all().delete()
    historical = MigrationLoader(connection).project_state(("stories", "0003_editorial")).apps
    roles_migration.create_groups(historical, None)
    editors = Group.objects.get(name="Editors")
    chiefs = Group.objects.get(name="Chief editors")
    assert codenames(editors) == set(roles_migration.editor_codenames())
    assert codenames(chiefs) == codenames(editors) | {"stories.publish_timelineentry"}


@pytest.mark.django_db
def test_editors_cannot_manage_users_delete_stories_or_claims_or_publish():
    editors = codenames(desk_groups()["Editors"])
    assert not {name for name in editors if name.startswith("auth.")}
    for forbidden in [
        "stories.delete_story",
        "stories.delete_claim",
        "stories.delete_timelineentry",
        "stories.delete_source",
        "stories.publish_timelineentry",
    ]:
        assert forbidden not in editors
    for needed in ["stories.change_story", "stories.add_claimappearance", "stories.change_claim"]:
        assert needed in editors


@pytest.mark.django_db
def test_an_editor_reaches_the_admin_and_its_work_pages(client):
    client.force_login(member("Editors", "ed"))
    for url in [
        "/admin/",
        "/admin/stories/story/",
        "/admin/stories/claim/",
        "/admin/stories/duplicatecandidate/",
        "/admin/stories/timelineentry/",
        "/admin/stories/mergerecord/",
    ]:
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_an_editor_cannot_reach_user_management(client):
    client.force_login(member("Editors", "ed"))
    assert client.get("/admin/auth/user/").status_code == 403
    assert b"/admin/auth/user/" not in client.get("/admin/").content


@pytest.mark.django_db
def test_nobody_deletes_a_story_or_a_claim_from_the_admin(client):
    story, claim = StoryFactory(), ClaimFactory()
    client.force_login(UserFactory(username="root", is_superuser=True))
    assert client.get(f"/admin/stories/story/{story.pk}/delete/").status_code == 403
    assert client.get(f"/admin/stories/claim/{claim.pk}/delete/").status_code == 403
    client.post("/admin/stories/story/", {"action": "delete_selected", "_selected_action": [story.pk]})
    assert Story.objects.filter(pk=story.pk).exists() and Claim.objects.filter(pk=claim.pk).exists()


@pytest.mark.django_db
def test_a_non_staff_user_cannot_reach_the_admin(client):
    reader = UserFactory(username="reader", is_staff=False)
    reader.groups.add(desk_groups()["Editors"])
    client.force_login(reader)
    response = client.get("/admin/stories/story/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_an_editor_cannot_publish_a_timeline_entry(client):
    entry = EntryFactory(claims=[ClaimFactory(verdict=Verdict.ACCURATE)])
    client.force_login(member("Editors", "ed"))
    response = client.post(f"/admin/stories/timelineentry/{entry.pk}/publication/publish/")
    assert response.status_code == 403
    listing = client.get("/admin/stories/timelineentry/")
    action_form = listing.context["action_form"]  # None when the user has no action at all
    assert action_form is None or "publish" not in dict(action_form.fields["action"].choices)
    client.post("/admin/stories/timelineentry/", {"action": "publish", "_selected_action": [entry.pk]})
    assert not TimelineEntry.objects.get(pk=entry.pk).is_published


@pytest.mark.django_db
def test_a_chief_editor_can_publish_a_timeline_entry(client):
    entry = EntryFactory(claims=[ClaimFactory(verdict=Verdict.ACCURATE)])
    client.force_login(member("Chief editors", "chief"))
    response = client.post(
        "/admin/stories/timelineentry/", {"action": "publish", "_selected_action": [entry.pk]}, follow=True
    )
    assert response.status_code == 200
    assert "1 entries published." in [str(m) for m in response.context["messages"]]
    assert TimelineEntry.objects.get(pk=entry.pk).is_published


@pytest.mark.django_db
def test_chief_editors_may_override_a_verdict_and_editors_may_not():
    groups = desk_groups()
    assert "stories.override_verdict" in codenames(groups["Chief editors"])
    assert "stories.override_verdict" not in codenames(groups["Editors"])
