"""Zip archives among attachments are inspected before they are stored (issue 13, item 8).

Nothing is extracted: the central directory alone tells the number of entries and their declared
sizes, which is what a zip bomb inflates. Office documents (docx, xlsx…) are zips too and pass
the same limits easily (ratios around 5–20).
"""

import io
import zipfile

from django.conf import settings

from gongdan.core.errors import AttachmentRejected

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


def is_zip(content: bytes) -> bool:
    return content[:4] in ZIP_MAGIC


def check_archive(name: str, content: bytes) -> None:
    """Refuse an archive with too many entries, too high a compression ratio or too much inside."""
    if not is_zip(content):
        return
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise AttachmentRejected(
            f"The archive {name} cannot be read ({exc}).",
            f"压缩包 {name} 无法读取（{exc}）。",
            fields={"file": "bad_archive"},
        ) from exc
    if len(entries) > settings.GONGDAN_ZIP_MAX_ENTRIES:
        raise AttachmentRejected(
            f"The archive {name} holds {len(entries)} files; at most {settings.GONGDAN_ZIP_MAX_ENTRIES} are accepted.",
            f"压缩包 {name} 含 {len(entries)} 个文件，上限为 {settings.GONGDAN_ZIP_MAX_ENTRIES} 个。",
            fields={"file": "archive_too_many_entries"},
        )
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > settings.GONGDAN_ZIP_MAX_UNCOMPRESSED:
        limit_mb = settings.GONGDAN_ZIP_MAX_UNCOMPRESSED // (1024 * 1024)
        raise AttachmentRejected(
            f"The archive {name} unpacks to more than {limit_mb} MB.",
            f"压缩包 {name} 解压后超过 {limit_mb} MB。",
            fields={"file": "archive_too_large"},
        )
    ratio = unpacked / max(len(content), 1)
    if ratio > settings.GONGDAN_ZIP_MAX_RATIO:
        raise AttachmentRejected(
            f"The archive {name} is compressed {ratio:.0f}:1; at most {settings.GONGDAN_ZIP_MAX_RATIO}:1 is accepted.",
            f"压缩包 {name} 压缩比为 {ratio:.0f}:1，上限为 {settings.GONGDAN_ZIP_MAX_RATIO}:1。",
            fields={"file": "archive_ratio"},
        )
