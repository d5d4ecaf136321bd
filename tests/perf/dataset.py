"""A generated data set for benchmarks: N stories, claims and timeline entries, all public."""

import datetime
import random

from django.db import transaction

from stories.models import Claim, ClaimAppearance, Evidence, Source, Story, Timeline, TimelineEntry, Verdict
from stories.text import fingerprint

WORDS = (
    "japan nato officers command wiesbaden ukraine support liaison ministry defense dispatch "
    "coordination training equipment summit alliance tokyo germany partners security"
).split()


def sentence(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


@transaction.atomic
def build(stories=1000, claims=200, entries=30, seed=7):
    rng = random.Random(seed)
    base = datetime.datetime(2024, 7, 11, tzinfo=datetime.UTC)
    sources = Source.objects.bulk_create(
        Source(name=f"Bench outlet {i}", slug=f"bench-outlet-{i}") for i in range(20)
    )
    story_rows = []
    for i in range(stories):
        title = f"Bench story {i}: " + sentence(rng, 6)
        body = " ".join(sentence(rng, 12) for _ in range(8))
        story_rows.append(
            Story(
                source=sources[i % len(sources)],
                title=title,
                slug=f"bench-story-{i}",
                url=f"https://bench.example/{i}",
                published_at=base + datetime.timedelta(hours=17 * i),
                summary=sentence(rng, 25),
                body=body,
                status=Story.Status.PUBLISHED,
                fingerprint=fingerprint(title, body),
            )
        )
    story_rows = Story.objects.bulk_create(story_rows)
    claim_rows = Claim.objects.bulk_create(
        Claim(
            text=f"Bench claim {i}: " + sentence(rng, 10),
            slug=f"bench-claim-{i}",
            verdict=Verdict.ACCURATE if i % 4 else Verdict.MOSTLY_ACCURATE,
            explanation=sentence(rng, 20),
            reviewed_at=base,
        )
        for i in range(claims)
    )
    ClaimAppearance.objects.bulk_create(
        ClaimAppearance(claim=claim, story=story, quote=sentence(rng, 8))
        for i, claim in enumerate(claim_rows)
        for story in rng.sample(story_rows, 3)
    )
    Evidence.objects.bulk_create(
        Evidence(claim=claim, url=f"https://record.example/{i}", publisher="Ministry", kind="primary")
        for i, claim in enumerate(claim_rows)
    )
    timeline, _ = Timeline.objects.get_or_create(slug="bench", defaults={"title": "Bench timeline"})
    for i in range(entries):
        entry = TimelineEntry.objects.create(
            timeline=timeline,
            date=(base + datetime.timedelta(days=20 * i)).date(),
            title=f"Bench milestone {i}",
            slug=f"bench-milestone-{i}",
            text=sentence(rng, 25),
            is_published=True,
        )
        entry.claims.set(rng.sample(claim_rows, 3))
