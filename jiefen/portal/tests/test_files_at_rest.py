"""Citizens' attachments are encrypted at rest and open as they were sent."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jiefen.portal.models import Attachment
from jiefen.portal.tests.conftest import JPEG
from jiefen.portal.tests.test_portal import submit

pytestmark = pytest.mark.django_db


def test_an_attachment_is_stored_encrypted_and_read_back_whole(
    client, anji, dispatcher, frozen_now, settings
):
    # given
    submit(client, anji, files=[SimpleUploadedFile("photo.jpg", JPEG)])
    att = Attachment.objects.get()
    # when
    on_disk = (Path(settings.MEDIA_ROOT) / att.file.name).read_bytes()
    client.force_login(dispatcher)
    served = client.get(f"/cases/{att.case.number}/attachments/{att.pk}/")
    # then
    assert JPEG[:16] not in on_disk and on_disk.startswith(b"gAAAAA")
    assert b"".join(served.streaming_content) == JPEG
