from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Newsroom editorial desk"
admin.site.site_title = "Newsroom"
admin.site.index_title = "Curate the coverage"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("stories.api.urls")),
    path("", include("stories.urls")),
]
