"""Safe ``.npz`` files: atomic writing, and reading that checks every header before any data.

Writing (:func:`write_npz`): the arrays go to a fresh temporary file in the target's
directory, created exclusively (``O_CREAT | O_EXCL | O_NOFOLLOW``: a name that already
exists, a planted symlink included, is never opened but skipped for another random
name), flushed and fsynced, then ``os.replace``d over the target. Readers see the old
file or the new one, never a mixture; concurrent writers to one path all succeed (the
last rename wins); a failed write leaves the target byte-identical and removes its
temporary file. Errors name the target, not the temporary file: a missing directory is a
:class:`MissingDirectoryError` (a FileNotFoundError, and torch's RuntimeError). An open binary
file (or ``io.BytesIO``) is written where it stands and left open, as ``torch.save(obj, f)`` writes
(atomic only as the caller makes it).

Reading (:class:`NpzReader`): the zip directory and every member's ``.npy`` header
(dtype, shape, byte count) are read first and checked against each other and against
the file's real length. Only stored (uncompressed) members of numeric or string dtype
are accepted, so the data a file can make us allocate never exceeds the file's size,
and a header claiming a terabyte is refused before anything is allocated. Data is then
read in chunks into arrays of exactly the announced size, and the zip CRC is verified.
Every problem is one :class:`SerializationError` naming the file. An open binary file is read from
its current position and left open, as ``torch.load(f)`` reads, positioned just past the checkpoint (what was
written after it, another checkpoint or a pickle, is read next).
"""

from __future__ import annotations

import io
import math
import os
import secrets
import struct
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

__all__ = ["Member", "MissingDirectoryError", "NpzReader", "SerializationError", "write_npz"]

#: Bytes copied per read while filling an array from the archive.
CHUNK_BYTES = 1 << 20
#: Largest ``.npy`` header we parse (numpy's own default limit).
MAX_HEADER_BYTES = 10_000
#: Kinds of dtype a state file may hold: bool, ints, floats, complex, and unicode strings.
ALLOWED_KINDS = "biufcU"
#: What zipfile and numpy raise on a damaged archive; NotImplementedError for a zip feature a damaged byte can
#: announce (a version or a flag bit: patched data, strong encryption) that Python cannot read.
_READ_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError)
#: What a file torch.save wrote is told apart by, and what is said of it: a zip holding ``<name>/data.pkl`` (torch's
#: format since 1.6), or a pickle from its first byte (PROTO 2 to 5: torch's legacy format, or pickle.dump's).
_PICKLE_PROTOCOLS = (b"\x80\x02", b"\x80\x03", b"\x80\x04", b"\x80\x05")
_TORCH_FILE = (
    "written by torch.save or pickle, which this library never reads (unpickling runs code); load it with "
    "torch.load and save its tensors' .numpy() arrays with nn.save"
)
_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


class SerializationError(ValueError):
    """A state file is unreadable, damaged, forged, or does not fit what it is loaded into."""


class MissingDirectoryError(FileNotFoundError, RuntimeError):
    """``save`` into a directory that does not exist: a FileNotFoundError, and the RuntimeError torch's ``save``
    raises ("Parent directory ... does not exist")."""


def _about_target(path: Path, error: OSError) -> OSError:
    """``error``, raised while creating or renaming the temporary file, as the same kind of error about ``path``
    (the file the caller named, not the temporary one)."""
    if isinstance(error, FileNotFoundError):
        return MissingDirectoryError(error.errno, f"save: the directory {path.parent} does not exist", str(path))
    return type(error)(error.errno, f"save: cannot write {path} ({error.strerror})", str(path))


def temporary_name(path: Path) -> Path:
    """A fresh random name next to ``path`` for the file being written."""
    return path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")


def _create_exclusively(path: Path, name_for: Callable[[Path], Path], attempts: int = 100) -> tuple[int, Path]:
    """Open a new file next to ``path`` that nobody else has (never following a link)."""
    for _ in range(attempts):
        candidate = name_for(path)
        try:
            return os.open(candidate, _CREATE_FLAGS, 0o666), candidate
        except FileExistsError:
            continue
    raise FileExistsError(f"save: found no free temporary name next to {path} in {attempts} attempts")


def _sync_directory(directory: Path) -> None:
    """Make the rename durable (directories cannot be opened for fsync on every platform)."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def is_binary_file(target: Any) -> bool:
    """Whether ``target`` is an open file object (``open(path, "wb")``, ``io.BytesIO``) rather than a path."""
    return not isinstance(target, (str, bytes, os.PathLike)) and (hasattr(target, "write") or hasattr(target, "read"))


class _WriteOnly:
    """A stream that offers only ``write`` (and perhaps ``flush``), as ``torch.save`` takes one, shown to numpy as a
    file: zipfile then writes it front to back (sizes after each member), seeking only if the stream can."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, data: bytes) -> int:
        return self._stream.write(data)

    def flush(self) -> None:
        if hasattr(self._stream, "flush"):
            self._stream.flush()

    def read(self, *args: Any) -> bytes:
        raise io.UnsupportedOperation("read")

    def tell(self) -> int:
        return self._stream.tell()  # (an AttributeError tells zipfile the stream cannot seek)

    def seek(self, *args: Any) -> int:
        return self._stream.seek(*args)


def write_npz(path: str | os.PathLike | BinaryIO, arrays: Mapping[str, np.ndarray]) -> Path | None:
    """Write ``arrays`` as an uncompressed ``.npz`` at ``path``, atomically (see the module docstring), and return
    the path; into an open binary file where it stands (left open), returning None as ``torch.save`` does."""
    if isinstance(path, io.TextIOBase):
        raise TypeError(f"save: {getattr(path, 'name', 'the file')!r} is open in text mode; open it with 'wb'")
    if is_binary_file(path):  # (numpy takes a file only if it has read(): a write-only stream is handed over wrapped)
        np.savez(path if hasattr(path, "read") else _WriteOnly(path), allow_pickle=False, **arrays)  # type: ignore[arg-type]
        return None
    path = Path(path)
    try:
        descriptor, temporary = _create_exclusively(path, temporary_name)
    except (FileNotFoundError, NotADirectoryError, PermissionError) as error:
        raise _about_target(path, error) from None
    try:
        with os.fdopen(descriptor, "wb") as file:
            np.savez(file, allow_pickle=False, **arrays)
            file.flush()
            os.fsync(file.fileno())
        try:
            os.replace(temporary, path)
        except (IsADirectoryError, PermissionError) as error:
            raise _about_target(path, error) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _sync_directory(path.parent)
    return path


class _Window:
    """The bytes ``start``.. ``start + length`` of an open binary file seen as a file of their own (its position 0 is
    ``start``), offering what zipfile reads through (``read``, ``seek``, ``tell``, ``seekable``) over a file that may
    offer only ``read``, ``seek`` and ``tell``, all torch.load asks of a file-like object."""

    def __init__(self, file: BinaryIO, start: int, length: int) -> None:
        self._file, self._start, self.length = file, start, length

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._file.tell() - self._start

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        target = offset + (0 if whence == os.SEEK_SET else self.tell() if whence == os.SEEK_CUR else self.length)
        if target < 0:  # as a real file refuses a negative position (zipfile looks for its end record so)
            raise OSError(f"cannot seek to {target}, before the start of the checkpoint")
        self._file.seek(self._start + target)
        return target

    def read(self, size: int | None = -1) -> bytes:
        left = max(self.length - self.tell(), 0)
        return self._file.read(left if size is None or size < 0 else min(size, left))


_END_RECORD = struct.Struct("<4s4H2LH")  # zip's end of central directory: signature ... size, offset, comment
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_END_RECORD = struct.Struct("<4sQ2H2L4Q")


def _end_after(window: _Window, position: int) -> int | None:
    """Where the archive that starts at the window's start ends, if an end record of it lies at ``position``, else
    None. Offsets in a zip count from wherever its writer began (Python's zipfile, writing into a stream, counts
    from the stream's start), so the record is taken as this archive's when its central directory ends right there
    (or at the zip64 end record before it, which torch's writer always adds) and its first entry, with the offsets
    shifted alike, names the window's start."""
    window.seek(position)
    record = window.read(_END_RECORD.size)
    if len(record) < _END_RECORD.size:
        return None
    _, _, _, _, count, size, offset, comment = _END_RECORD.unpack(record)
    end = position + _END_RECORD.size + comment
    if end > window.length:
        return None
    zip64_at = position - _ZIP64_LOCATOR.size - _ZIP64_END_RECORD.size
    if zip64_at >= 0:
        window.seek(zip64_at)
        fields = _ZIP64_END_RECORD.unpack(window.read(_ZIP64_END_RECORD.size))
        signature, _, named, _ = _ZIP64_LOCATOR.unpack(window.read(_ZIP64_LOCATOR.size))
        if fields[0] == b"PK\x06\x06" and signature == b"PK\x06\x07":
            count64, size64, offset64 = fields[-3:]
            if _directory_fits(window, zip64_at, count64, size64, offset64, named):
                return end
    return end if _directory_fits(window, position, count, size, offset, None) else None


def _directory_fits(window: _Window, ends_at: int, count: int, size: int, offset: int, zip64_at: int | None) -> bool:
    """Whether a central directory of ``count`` entries, ``size`` bytes at ``offset`` (and a zip64 end record the
    locator places at ``zip64_at``), all counted from where the writer began, ends at ``ends_at`` of the window and
    has its first entry at the window's start."""
    start = ends_at - size
    shift = start - offset  # what the archive's offsets lack to be positions in the window
    if start < 0 or (zip64_at is not None and zip64_at + shift != ends_at):
        return False
    if not count:  # an empty archive is its directory's end alone (zeros in stored data must not pass for one)
        return start == 0
    window.seek(start)
    entry = window.read(46)
    if len(entry) < 46 or entry[:4] != b"PK\x01\x02":
        return False
    first = struct.unpack_from("<L", entry, 42)[0]
    return first == 0xFFFFFFFF or first + shift == 0


def _archive_end(window: _Window, begin: int) -> int | None:
    """The end of the archive that starts at the window's start: the first end record from ``begin`` on that closes
    it (read in chunks; memory: one chunk), or None."""
    position, carried = begin, b""
    while True:
        window.seek(position)
        chunk = window.read(CHUNK_BYTES)
        if not chunk:
            return None
        data, base = carried + chunk, position - len(carried)
        found = data.find(b"PK\x05\x06")
        while found != -1:
            end = _end_after(window, base + found)
            if end is not None:
                return end
            found = data.find(b"PK\x05\x06", found + 1)
        position += len(chunk)
        carried = data[-3:]  # (a signature split between two chunks)


def _open_at_start(window: _Window) -> zipfile.ZipFile:
    """The archive that starts where an open file stands, its window narrowed to it: zipfile finds an archive by
    the end record nearest the file's end, which is another one when more was written after this (``torch.save``
    into one stream several times, or ``pickle.dump`` after it), so that one is looked for from the start on."""
    try:
        archive = zipfile.ZipFile(window)
        first = min((info.header_offset for info in archive.infolist()), default=archive.start_dir)
        if first == 0:  # the common case: the archive found is the one here (its directory end looked up)
            end = _archive_end(window, archive.start_dir)
            window.length = window.length if end is None else end  # (an end record of a kind not met: the file's)
            return archive
        archive.close()
    except _READ_ERRORS:
        pass
    end = _archive_end(window, 0)
    if end is None:
        raise zipfile.BadZipFile("no zip archive starts at the file's position")
    window.length = end
    return zipfile.ZipFile(window)


@dataclass(frozen=True)
class Member:
    """One ``.npy`` member as its header announces it, checked against the zip directory."""

    key: str
    shape: tuple[int, ...]
    dtype: np.dtype
    fortran_order: bool
    info: zipfile.ZipInfo
    header_bytes: int

    @property
    def nbytes(self) -> int:
        """Bytes of array data the header announces."""
        return math.prod(self.shape) * self.dtype.itemsize

    def placeholder(self) -> np.ndarray:
        """A read-only array of this member's shape and dtype that costs no memory (for shape checks)."""
        return np.broadcast_to(np.zeros((), dtype=self.dtype), self.shape)


class NpzReader:
    """Open ``path`` and check its directory and headers; read arrays on demand.

    Use as a context manager. ``members`` maps each key (the member name without
    ``.npy``) to its :class:`Member`. Raises ``FileNotFoundError`` for a missing file and
    :class:`SerializationError` for anything else that is wrong.
    """

    def __init__(self, path: str | os.PathLike | BinaryIO) -> None:
        self._owned = not is_binary_file(path)
        if self._owned:
            self.path: Path | str = Path(path)  # type: ignore[arg-type]
            try:
                self._file: BinaryIO = open(self.path, "rb")  # noqa: SIM115 (closed by close())
            except FileNotFoundError:
                raise
            except OSError as error:
                raise SerializationError(f"{self.path}: cannot be opened ({error.strerror or error})") from None
        else:  # an open file: read from where it stands, and leave it open (torch.load(f))
            self._file = path  # type: ignore[assignment]
            self.path = str(getattr(path, "name", None) or f"<{type(path).__name__}>")
            if isinstance(path, io.TextIOBase):
                raise self.error("is open in text mode; open it with 'rb'")
        try:
            start = 0
            if self._owned:
                self._length = os.fstat(self._file.fileno()).st_size
            else:
                try:
                    start = self._file.tell()
                    self._file.seek(0, os.SEEK_END)  # (a file-like's seek need not return the position)
                    self._length = self._file.tell()
                    self._file.seek(start)
                except (OSError, AttributeError, ValueError) as error:
                    raise self.error(f"cannot be read as a state file: the file must be seekable ({error})") from None
            if not self._owned:  # (seen through a window: zipfile needs seekable(), which torch.load does not ask for)
                self._file = _Window(self._file, start, self._length - start)  # type: ignore[assignment]
                self._length, start = self._length - start, 0
            try:
                self._zip = zipfile.ZipFile(self._file) if self._owned else _open_at_start(self._file)
            except _READ_ERRORS as error:
                if self._starts_as_pickle(start):
                    raise self.error(_TORCH_FILE) from None
                raise self.error(f"not a readable .npz file ({error})") from None
            if not self._owned:
                self._length = self._file.length  # type: ignore[attr-defined]
            if any(name == "data.pkl" or name.endswith("/data.pkl") for name in self._zip.namelist()):
                raise self.error(_TORCH_FILE)
            self.members: dict[str, Member] = {}
            for info in self._zip.infolist():
                member = self._check_member(info)
                if member.key in self.members:
                    raise self.error(f"member {info.filename!r} appears twice")
                self.members[member.key] = member
        except BaseException:
            if self._owned:
                self._file.close()
            elif isinstance(self._file, _Window):
                self._file.seek(0)  # (an open file refused is left where it stood)
            raise

    def _starts_as_pickle(self, start: int) -> bool:
        """Whether the file's bytes from ``start`` begin as a pickle does (torch.save's legacy format)."""
        try:
            self._file.seek(start)
            return self._file.read(2) in _PICKLE_PROTOCOLS
        except (OSError, ValueError):
            return False

    def error(self, message: str) -> SerializationError:
        """A :class:`SerializationError` about this file."""
        return SerializationError(f"{self.path}: {message}")

    def _check_member(self, info: zipfile.ZipInfo) -> Member:
        name = info.filename
        if not name.endswith(".npy") or info.is_dir():
            raise self.error(f"member {name!r} is not a .npy array")
        if info.flag_bits & 0x1:
            raise self.error(f"member {name!r} is encrypted")
        if info.compress_type != zipfile.ZIP_STORED:
            raise self.error(f"member {name!r} is compressed; state files hold stored (uncompressed) members")
        if info.file_size != info.compress_size or info.header_offset + info.compress_size > self._length:
            raise self.error(
                f"forged size: member {name!r} claims {info.file_size} bytes but the file has only {self._length}"
            )
        try:
            with self._zip.open(info) as stream:
                version = np.lib.format.read_magic(stream)
                if version == (1, 0):
                    shape, fortran, dtype = np.lib.format.read_array_header_1_0(stream, MAX_HEADER_BYTES)
                elif version == (2, 0):
                    shape, fortran, dtype = np.lib.format.read_array_header_2_0(stream, MAX_HEADER_BYTES)
                else:
                    raise ValueError(f"unsupported .npy version {version}")
                header_bytes = stream.tell()
        except _READ_ERRORS as error:
            raise self.error(f"damaged member {name!r} ({error})") from None
        if dtype.hasobject:
            raise self.error(f"member {name!r} holds a pickled object array (dtype {dtype}); pickle is refused")
        if dtype.kind not in ALLOWED_KINDS or dtype.fields is not None or dtype.subdtype is not None:
            raise self.error(f"member {name!r} has dtype {dtype}, which a state file never holds")
        member = Member(name[: -len(".npy")], tuple(shape), dtype, fortran, info, header_bytes)
        stored = info.file_size - header_bytes
        if member.nbytes != stored:
            problem = "truncated member" if member.nbytes > stored else "trailing data in member"
            raise self.error(
                f"{problem} {name!r}: its header announces {member.shape} {dtype} ({member.nbytes} bytes), "
                f"the archive stores {stored}"
            )
        return member

    def read(self, key: str) -> np.ndarray:
        """The array stored under ``key``, read in chunks (memory: the array plus one chunk)."""
        member = self.members[key]
        array = np.empty(member.shape, dtype=member.dtype, order="F" if member.fortran_order else "C")
        target = array.reshape(-1, order="A").view(np.uint8) if array.size else np.empty(0, np.uint8)
        try:
            with self._zip.open(member.info) as stream:
                stream.read(member.header_bytes)
                filled = 0
                while filled < member.nbytes:
                    chunk = stream.read(min(CHUNK_BYTES, member.nbytes - filled))
                    if not chunk:
                        raise EOFError("the data ends early")
                    target[filled : filled + len(chunk)] = np.frombuffer(chunk, dtype=np.uint8)
                    filled += len(chunk)
                if stream.read(1):
                    raise ValueError("data continues past the announced size")
        except _READ_ERRORS as error:
            raise self.error(f"damaged member {member.info.filename!r} ({error})") from None
        return array

    def read_text(self, key: str) -> str:
        """The 0-d string stored under ``key``."""
        member = self.members[key]
        if member.dtype.kind != "U" or member.shape != ():
            raise self.error(f"entry {key!r} should be a 0-d string, found {member.shape} {member.dtype}")
        return str(self.read(key)[()])

    def __iter__(self) -> Iterator[str]:
        return iter(self.members)

    def close(self) -> None:
        """Close the file (one the caller opened stays open, positioned just past the checkpoint, as torch.load
        leaves it, so that what was written after it can be read next)."""
        self._zip.close()
        if self._owned:
            self._file.close()
        else:
            self._file.seek(0, os.SEEK_END)

    def __enter__(self) -> NpzReader:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()
