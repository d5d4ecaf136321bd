from django.apps import AppConfig


class StoriesConfig(AppConfig):
    name = "stories"
    verbose_name = "Coverage"

    def ready(self):
        from stories import invalidation
        from stories.services import versions

        invalidation.connect()
        versions.connect()
