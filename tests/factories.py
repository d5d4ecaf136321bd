import factory
from django.contrib.auth import get_user_model

from stories.models import (
    Claim,
    ClaimAppearance,
    DuplicateCandidate,
    EditorialNote,
    Source,
    Story,
    Timeline,
    TimelineEntry,
    Verdict,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"editor{n}")
    is_staff = True


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    name = factory.Sequence(lambda n: f"Outlet {n}")
    slug = factory.Sequence(lambda n: f"outlet-{n}")


class StoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Story

    source = factory.SubFactory(SourceFactory)
    title = factory.Sequence(lambda n: f"Story number {n}")
    url = factory.Sequence(lambda n: f"https://example.org/news/{n}")
    body = factory.Faker("paragraph")
    status = Story.Status.PUBLISHED


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim

    text = factory.Sequence(lambda n: f"Claim number {n} is a checkable statement.")
    verdict = Verdict.ACCURATE


class AppearanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClaimAppearance

    claim = factory.SubFactory(ClaimFactory)
    story = factory.SubFactory(StoryFactory)
    quote = "the exact words"


class NoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EditorialNote

    body = factory.Sequence(lambda n: f"Note text {n}")


class TimelineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Timeline
        django_get_or_create = ["slug"]

    title = "The deployment"
    slug = "deployment"


class EntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimelineEntry
        skip_postgeneration_save = True

    timeline = factory.SubFactory(TimelineFactory)
    date = factory.Sequence(lambda n: f"2025-01-{n % 28 + 1:02d}")
    title = factory.Sequence(lambda n: f"Milestone {n}")

    @factory.post_generation
    def claims(self, create, extracted, **kwargs):
        if create and extracted:
            self.claims.set(extracted)


class CandidateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DuplicateCandidate

    story_a = factory.SubFactory(StoryFactory)
    story_b = factory.SubFactory(StoryFactory)
    score = 0.9


def approved_verdict(claim, verdict, explanation="Checked against the record.", *, by=None, approver=None):
    """Give `claim` a public verdict the way the desk does (rule 9): proposed by one editor (`by`),
    approved by another (`approver`); each made when not given. Returns the claim, reloaded."""
    from stories.services.claims import approve_verdict, propose_verdict

    by = by or UserFactory(username="proposing-editor")
    approver = approver or UserFactory(username="approving-editor")
    review = propose_verdict(claim, verdict, explanation, by=by)
    if review is not None and review.state == review.State.PENDING:
        approve_verdict(review, by=approver)
    claim.refresh_from_db()
    return claim
