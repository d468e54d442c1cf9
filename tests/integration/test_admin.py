from django.test import Client as Browser

from joinedup.directory.models import Practitioner


def test_system_administrators_manage_the_directory_but_not_client_records(b):
    admin = Practitioner.objects.get(username="admin")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    browser = Browser()
    browser.force_login(admin)
    assert browser.get("/admin/directory/team/").status_code == 200
    assert browser.get("/admin/directory/organisation/").status_code == 200
    assert browser.get("/admin/clients/client/").status_code == 404
    assert browser.get("/admin/core/auditevent/").status_code == 404


def test_front_line_staff_have_no_admin(b):
    browser = Browser()
    browser.force_login(Practitioner.objects.get(username="ot.north"))
    assert browser.get("/admin/directory/team/").status_code == 302
