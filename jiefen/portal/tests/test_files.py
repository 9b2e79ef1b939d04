import pytest

from jiefen.portal.files import sniff


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"\xff\xd8\xff\xe0", "jpeg"),
        (b"\x89PNG\r\n\x1a\n", "png"),
        (b"GIF89a", "gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "webp"),
        (b"%PDF-1.7", "pdf"),
        (b"MZ\x90\x00", None),
        (b"<html><script>", None),
        (b"\x7fELF", None),
        (b"", None),
    ],
)
def test_type_is_judged_by_content(head, kind):
    result = sniff(head)
    assert (result[0] if result else None) == kind
