"""The API docs page (`/api/v1/docs`) from vendored Swagger UI (npm `swagger-ui-dist`, copied by
`scripts/vendor-assets.sh`). Django-ninja's own page loads Swagger UI from a CDN unless "ninja" is
an installed app, and our Content-Security-Policy allows scripts from the site only."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import Swagger


class VendoredSwagger(Swagger):
    template = "core/api_docs.html"

    def render_page(self, request: HttpRequest, api, **kwargs) -> HttpResponse:
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        context = {"swagger_settings": settings, "api": api}
        return render(request, self.template, context)
