"""Fetch a file from a list of mirrors, verified by its MD5 and written atomically (urllib only).

A file already present with the right checksum is never fetched again. A download is
written to a unique temporary file in the target's directory, checked (complete body,
size limit, checksum), flushed to disk and only then renamed over the target with
``os.replace``; on any failure the temporary file is removed, so nothing unverified is
left behind. When every mirror fails, :class:`DownloadError` lists each URL and why.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

__all__ = ["DownloadError", "fetch_verified", "file_md5"]

#: Bytes read (and hashed) at a time.
CHUNK_BYTES = 1 << 16


class DownloadError(OSError):
    """No mirror delivered a file with the expected checksum; the message says which failed and why."""


class _MirrorError(Exception):
    """One mirror failed for one file (the message is the reason)."""


def file_md5(path: str | os.PathLike) -> str:
    """Hex MD5 of a file, read in chunks."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as stream:
        while chunk := stream.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def fetch_verified(
    name: str, mirrors: Sequence[str], md5: str, directory: str | os.PathLike, timeout: float, max_bytes: int
) -> Path:
    """``directory / name``, downloaded from the first mirror that serves it with MD5 ``md5``.

    Each mirror is a URL prefix (``name`` is appended); ``timeout`` (seconds) applies to
    connecting and to each read, ``max_bytes`` bounds the body. An existing file with the
    right checksum is returned as it is; one with another checksum is replaced only by a
    verified download. Raises :class:`DownloadError` naming every mirror that failed.
    """
    directory = Path(directory)
    target = directory / name
    if target.is_file() and file_md5(target) == md5:
        return target
    directory.mkdir(parents=True, exist_ok=True)
    failures = []
    for mirror in mirrors:
        url = mirror if mirror.endswith("/") else mirror + "/"
        url += name
        try:
            _download(url, target, md5, timeout, max_bytes)
            return target
        except _MirrorError as failure:
            failures.append(f"{url}: {failure}")
    tried = "; ".join(failures) if failures else "no mirrors were given"
    raise DownloadError(f"could not download {name} into {str(directory)!r}: {tried}")


def _download(url: str, target: Path, md5: str, timeout: float, max_bytes: int) -> None:
    """Fetch ``url`` into a temporary file beside ``target``, verify it, then rename it to ``target``."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            digest = _copy_body(url, out, timeout, max_bytes)
            if digest != md5:
                raise _MirrorError(f"bad checksum (MD5 {digest}, expected {md5})")
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _copy_body(url: str, out: BinaryIO, timeout: float, max_bytes: int) -> str:
    """Write the body of ``url`` to ``out``; return its MD5. Network problems become _MirrorError."""
    digest = hashlib.md5(usedforsecurity=False)
    received = 0
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            announced = response.headers.get("Content-Length")
            while chunk := response.read(CHUNK_BYTES):
                received += len(chunk)
                if received > max_bytes:
                    raise _MirrorError(f"body larger than the {max_bytes}-byte limit")
                digest.update(chunk)
                out.write(chunk)
    except urllib.error.HTTPError as error:
        raise _MirrorError(f"HTTP error {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        raise _MirrorError(f"cannot connect ({error.reason})") from None
    except TimeoutError:
        raise _MirrorError(f"timed out after {timeout} s ({received} bytes received)") from None
    except http.client.IncompleteRead as error:
        raise _MirrorError(f"truncated body ({received + len(error.partial)} bytes received)") from None
    except (http.client.HTTPException, ConnectionError) as error:
        raise _MirrorError(f"connection failed ({type(error).__name__}: {error})") from None
    if announced is not None and announced.isdigit() and received != int(announced):
        raise _MirrorError(f"truncated body ({received} of {announced} bytes received)")
    return digest.hexdigest()
