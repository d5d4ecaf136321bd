"""After a public change, concurrent readers of one page cause one render, not one each."""

import threading

import pytest
from django.db import connections
from django.test import Client
from django.test.signals import template_rendered

from stories.models import SiteVersion

from .factories import StoryFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

READERS = 50


def test_fifty_readers_after_a_save_cause_one_render(settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 600
    story = StoryFactory(title="Before the correction")
    url = story.get_absolute_url()
    assert Client().get(url).status_code == 200  # kept at the first version
    story.title = "After the correction"
    story.save()  # commits: the version moves after it

    renders, lock = [], threading.Lock()

    def count(sender, template, **kwargs):
        if template.name == "stories/story_detail.html":
            with lock:
                renders.append(template.name)

    start, bodies = threading.Barrier(READERS), [None] * READERS

    def read(i):
        try:
            start.wait(10)
            bodies[i] = Client().get(url).text
        finally:
            connections.close_all()

    template_rendered.connect(count)
    try:
        threads = [threading.Thread(target=read, args=(i,)) for i in range(READERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        template_rendered.disconnect(count)
    assert len(renders) == 1
    assert all(
        body and ("Before the correction" in body or "After the correction" in body) for body in bodies
    )
    # Once rebuilt, every reader gets the corrected page from the cache.
    assert "After the correction" in Client().get(url).text
    assert SiteVersion.current() != "0"
