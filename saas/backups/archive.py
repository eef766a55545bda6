"""The backup file format: JSON lines, gzip, then AES-256-GCM in authenticated chunks.

Layout::

    b"RKBACKUP" | header length (4 bytes, big-endian) | header (JSON, UTF-8)
    then chunks:  length (4 bytes) | final flag (1 byte) | AES-GCM ciphertext

The header names the master key that wraps the archive's own random key (the
wrapped key is in the header too), the nonce prefix and the format version; it
is bound to every chunk as associated data, with the chunk's number and final
flag, so a changed header, reordered, dropped or truncated chunks and any
flipped bit all fail authentication. Restoring needs the master key named in
the header (and, for the data keys inside, the master keys that wrapped them).

The clear text is a gzip stream of JSON lines, one ``{"table": ..., "row": ...}``
per row, ending with ``{"manifest": ...}``: format version, tenant, creation
time, row counts per table and the SHA-256 of every line before it.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import os
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from saas.crypto.master import MasterKeyring, UnwrapError

MAGIC = b"RKBACKUP"
FORMAT_VERSION = 1
CHUNK_SIZE = 1 << 20
_LENGTH = struct.Struct(">I")
_MAX_HEADER = 64 * 1024


class ArchiveError(ValueError):
    """The file is not a usable backup: not one, truncated, tampered or unreadable."""


@dataclass(frozen=True)
class Manifest:
    format_version: int
    tenant_id: str
    tenant_slug: str
    created_at: str
    schema_revision: str | None
    counts: dict[str, int]
    sha256: str

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _wrap_context(nonce_prefix: bytes) -> bytes:
    return b"rekindle-backup|v1|" + nonce_prefix


def _chunk_aad(header: bytes, index: int, final: bool) -> bytes:
    return header + struct.pack(">QB", index, 1 if final else 0)


class _SealingWriter(io.RawIOBase):
    """A write-only stream that seals what it is given in fixed-size chunks."""

    def __init__(self, out: IO[bytes], key: bytes, prefix: bytes, header: bytes) -> None:
        self._out, self._aead, self._prefix, self._header = out, AESGCM(key), prefix, header
        self._buffer = bytearray()
        self._index = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._buffer.extend(data)
        while len(self._buffer) > CHUNK_SIZE:
            self._emit(bytes(self._buffer[:CHUNK_SIZE]), final=False)
            del self._buffer[:CHUNK_SIZE]
        return len(data)

    def _emit(self, plain: bytes, *, final: bool) -> None:
        nonce = self._prefix + struct.pack(">I", self._index)
        sealed = self._aead.encrypt(nonce, plain, _chunk_aad(self._header, self._index, final))
        self._out.write(_LENGTH.pack(len(sealed)) + (b"\x01" if final else b"\x00") + sealed)
        self._index += 1

    def finish(self) -> None:
        self._emit(bytes(self._buffer), final=True)
        self._buffer.clear()


class ArchiveWriter:
    """Write rows, then :meth:`finish` with the manifest fields; the file is sealed as it goes."""

    def __init__(self, out: IO[bytes], ring: MasterKeyring) -> None:
        key = AESGCM.generate_key(bit_length=256)
        prefix = os.urandom(8)
        master_id, wrapped = ring.wrap(key, _wrap_context(prefix))
        header = json.dumps({
            "format": FORMAT_VERSION, "cipher": "AES-256-GCM", "compression": "gzip",
            "master_key_id": master_id, "wrapped_key": base64.b64encode(wrapped).decode(),
            "nonce_prefix": base64.b64encode(prefix).decode(),
        }, sort_keys=True).encode()
        out.write(MAGIC + _LENGTH.pack(len(header)) + header)
        self._sealer = _SealingWriter(out, key, prefix, MAGIC + header)
        self._gzip = gzip.GzipFile(fileobj=self._sealer, mode="wb", mtime=0)
        self._digest = hashlib.sha256()
        self.counts: dict[str, int] = {}

    def write_row(self, table: str, row: dict[str, Any]) -> None:
        line = json.dumps({"table": table, "row": row}, ensure_ascii=False,
                          separators=(",", ":")).encode() + b"\n"
        self._digest.update(line)
        self._gzip.write(line)
        self.counts[table] = self.counts.get(table, 0) + 1

    def finish(self, *, tenant_id: str, tenant_slug: str, created_at: str,
               schema_revision: str | None) -> Manifest:
        manifest = Manifest(FORMAT_VERSION, tenant_id, tenant_slug, created_at, schema_revision,
                            dict(self.counts), self._digest.hexdigest())
        self._gzip.write(json.dumps({"manifest": manifest.as_dict()}).encode() + b"\n")
        self._gzip.close()
        self._sealer.finish()
        return manifest


def _read_exact(handle: IO[bytes], size: int, what: str) -> bytes:
    data = handle.read(size)
    if len(data) != size:
        raise ArchiveError(f"the backup is truncated (in the {what})")
    return data


def _open_chunks(handle: IO[bytes], ring: MasterKeyring) -> Iterator[bytes]:
    """The decrypted chunks, in order; raises :class:`ArchiveError` on any damage."""
    if handle.read(len(MAGIC)) != MAGIC:
        raise ArchiveError("not a Rekindle backup (unknown file signature)")
    (size,) = _LENGTH.unpack(_read_exact(handle, 4, "header"))
    if size > _MAX_HEADER:
        raise ArchiveError("the backup header is damaged")
    header = _read_exact(handle, size, "header")
    try:
        meta = json.loads(header)
        prefix = base64.b64decode(meta["nonce_prefix"])
        wrapped = base64.b64decode(meta["wrapped_key"])
        master_id = str(meta["master_key_id"])
        version = int(meta["format"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ArchiveError("the backup header is damaged") from exc
    if version != FORMAT_VERSION:
        raise ArchiveError(f"backup format {version} is not supported (expected {FORMAT_VERSION})")
    try:
        key = ring.unwrap(master_id, wrapped, _wrap_context(prefix))
    except UnwrapError as exc:
        raise ArchiveError(
            f"the backup's key cannot be unwrapped: master key {master_id} is not configured "
            "or the header was changed") from exc
    aead, aad_header, index = AESGCM(key), MAGIC + header, 0
    while True:
        head = handle.read(5)
        if len(head) < 5:
            raise ArchiveError("the backup is truncated (its last part is missing)")
        (length,) = _LENGTH.unpack(head[:4])
        final = head[4:5] == b"\x01"
        sealed = _read_exact(handle, length, f"part {index + 1}")
        nonce = prefix + struct.pack(">I", index)
        try:
            yield aead.decrypt(nonce, sealed, _chunk_aad(aad_header, index, final))
        except Exception as exc:
            raise ArchiveError(f"the backup was changed or damaged (part {index + 1} "
                               "failed authentication)") from exc
        index += 1
        if final:
            break
    if handle.read(1):
        raise ArchiveError("the backup has unexpected data after its end")


def _lines(handle: IO[bytes], ring: MasterKeyring) -> Iterator[bytes]:
    inflate = zlib.decompressobj(wbits=31)
    pending = b""
    try:
        for chunk in _open_chunks(handle, ring):
            pending += inflate.decompress(chunk)
            *complete, pending = pending.split(b"\n")
            yield from complete
        pending += inflate.flush()
    except zlib.error as exc:
        raise ArchiveError("the backup's contents are not valid (decompression failed)") from exc
    if not inflate.eof or pending:
        raise ArchiveError("the backup's contents end unexpectedly")


def read_rows(handle: IO[bytes], ring: MasterKeyring) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield ``(table, row)`` in file order, then check the manifest (raises if it differs).

    Callers that write must do so in a transaction they roll back on any error:
    the manifest is checked after the last row.
    """
    digest = hashlib.sha256()
    counts: dict[str, int] = {}
    for line in _lines(handle, ring):
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise ArchiveError("the backup's contents are not valid JSON lines") from exc
        if "manifest" in record:
            _check_manifest(record["manifest"], digest.hexdigest(), counts)
            return
        digest.update(line + b"\n")
        table = str(record["table"])
        counts[table] = counts.get(table, 0) + 1
        yield table, record["row"]
    raise ArchiveError("the backup has no manifest")


def _check_manifest(raw: dict[str, Any], digest: str, counts: dict[str, int]) -> None:
    if raw.get("sha256") != digest:
        raise ArchiveError("the backup's checksum does not match its contents")
    if raw.get("counts") != counts:
        raise ArchiveError("the backup's row counts do not match its contents")


def read_manifest(handle: IO[bytes], ring: MasterKeyring) -> Manifest:
    """Decrypt and check the whole archive without writing anything; returns its manifest."""
    manifest: dict[str, Any] | None = None
    digest = hashlib.sha256()
    counts: dict[str, int] = {}
    for line in _lines(handle, ring):
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise ArchiveError("the backup's contents are not valid JSON lines") from exc
        if manifest is not None:
            raise ArchiveError("the backup has rows after its manifest")
        if "manifest" in record:
            manifest = record["manifest"]
            _check_manifest(record["manifest"], digest.hexdigest(), counts)
            continue
        digest.update(line + b"\n")
        counts[str(record["table"])] = counts.get(str(record["table"]), 0) + 1
    if manifest is None:
        raise ArchiveError("the backup has no manifest")
    try:
        return Manifest(**manifest)
    except TypeError as exc:
        raise ArchiveError("the backup's manifest is not valid") from exc
