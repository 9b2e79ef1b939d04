"""Assembles the REST API: one NinjaAPI, routers from the domain apps, one error format."""

from ninja import NinjaAPI

api = NinjaAPI(title="jiefen API", version="1", urls_namespace="api")
