"""Upload checks shared by every attachment: allowed types judged by name and by content, and a size limit.

Content sniffing is done here rather than with libmagic/filetype because neither knows OFD (the Chinese
fixed-layout format, a zip with OFD.xml) and both need the Office containers opened anyway.
"""

import zipfile

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .errors import WorkflowError

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ALLOWED_EXTENSIONS = ("pdf", "doc", "docx", "xls", "xlsx", "ofd", "jpg", "jpeg", "png")


def _zip_names(f):
    f.seek(0)
    try:
        with zipfile.ZipFile(f) as z:
            return set(z.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return set()
    finally:
        f.seek(0)


def sniff(f, ext):
    """True when the file's bytes are what its extension claims."""
    f.seek(0)
    head = f.read(16)
    f.seek(0)
    if ext == "pdf":
        return head.startswith(b"%PDF-")
    if ext == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if ext in ("jpg", "jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if ext in ("doc", "xls"):
        return head.startswith(OLE2)
    if ext in ("docx", "xlsx", "ofd"):
        if not head.startswith(b"PK\x03\x04"):
            return False
        names = _zip_names(f)
        marker = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "ofd": "OFD.xml"}[ext]
        return marker in names
    return False


def validate_upload(f):
    """Return the file's kind (its extension) or raise WorkflowError with a Chinese message (HTTP 400)."""
    name = f.name or ""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ALLOWED_EXTENSIONS:
        raise WorkflowError(
            _("文件“%(name)s”的类型不允许上传。允许的类型：PDF、Word、Excel、OFD、JPG、PNG。") % {"name": name},
            field="attachments",
            status=400,
        )
    if f.size > settings.UPLOAD_MAX_BYTES:
        raise WorkflowError(
            _("文件“%(name)s”过大（%(size)s），单个文件不能超过%(limit)s。")
            % {"name": name, "size": filesizeformat(f.size), "limit": filesizeformat(settings.UPLOAD_MAX_BYTES)},
            field="attachments",
            status=400,
        )
    if f.size == 0 or not sniff(f, ext):
        raise WorkflowError(
            _("文件“%(name)s”的内容与其扩展名不符，可能已损坏或被改名，请上传真实的%(ext)s文件。")
            % {"name": name, "ext": ext.upper()},
            field="attachments",
            status=400,
        )
    return "jpg" if ext == "jpeg" else ext
