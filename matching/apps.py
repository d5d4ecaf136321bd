from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = "Claim memory"

    def ready(self):
        from matching import triggers

        triggers.connect()
