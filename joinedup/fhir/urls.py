"""The routes of the FHIR R4 interface, under /fhir/R4/."""

from django.urls import path, re_path

from joinedup.fhir import views

_ID = r"(?P<resource_id>[A-Za-z0-9\-\.]{1,64})"
_TYPE = r"(?P<resource_type>[A-Z][A-Za-z]+)"

urlpatterns = [
    path("fhir/R4/metadata", views.metadata, name="fhir-metadata"),
    path("fhir/R4/$validate", views.validate, name="fhir-validate"),
    re_path(rf"^fhir/R4/Patient/{_ID}/\$everything$", views.everything, name="fhir-everything"),
    re_path(rf"^fhir/R4/{_TYPE}/\$validate$", views.validate, name="fhir-type-validate"),
    re_path(rf"^fhir/R4/{_TYPE}$", views.type_search, name="fhir-search"),
    re_path(rf"^fhir/R4/{_TYPE}/{_ID}$", views.instance_read, name="fhir-read"),
    re_path(r"^fhir/R4(?:/(?P<rest>.*))?$", views.unknown, name="fhir-unknown"),
]
