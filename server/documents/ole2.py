"""The names of the streams in an OLE2 compound file (the container of .doc, .xls and .ppt).

Only the directory is read, never a stream's content: that is enough to tell a Word file from an
Excel or PowerPoint one, and to spot a password-protected .docx/.xlsx/.pptx (which Office saves as
a compound file holding ``EncryptedPackage``). Layout: [MS-CFB] sections 2.2-2.6.
"""

from __future__ import annotations

import struct
from typing import BinaryIO

MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
HEADER_SIZE = 512
DIFAT_IN_HEADER = 109
END_OF_CHAIN = 0xFFFFFFFE
MAX_SECTOR = 0xFFFFFFFA
DIRECTORY_ENTRY_SIZE = 128
# A real document has a handful of directory sectors; a loop or a huge chain means a crafted file.
MAX_DIRECTORY_SECTORS = 4096


class NotCompoundFile(ValueError):
    """The bytes are not a well-formed OLE2 compound file."""


def stream_names(file: BinaryIO) -> set[str]:
    """Every storage and stream name in the compound file's directory."""
    file.seek(0)
    header = file.read(HEADER_SIZE)
    if len(header) < HEADER_SIZE or not header.startswith(MAGIC):
        raise NotCompoundFile("no compound file header")
    sector_shift = struct.unpack_from("<H", header, 0x1E)[0]
    if sector_shift not in (9, 12):
        raise NotCompoundFile(f"sector shift {sector_shift}")
    sector_size = 1 << sector_shift
    fat_sectors = _fat_sector_numbers(file, header, sector_size)
    entries_per_fat_sector = sector_size // 4

    def next_sector(sector: int) -> int:
        index, slot = divmod(sector, entries_per_fat_sector)
        if index >= len(fat_sectors):
            raise NotCompoundFile("chain runs past the FAT")
        value: int = struct.unpack_from("<I", _read_sector(file, fat_sectors[index], sector_size), slot * 4)[
            0
        ]
        return value

    names: set[str] = set()
    sector = struct.unpack_from("<I", header, 0x30)[0]
    for _ in range(MAX_DIRECTORY_SECTORS):
        if sector == END_OF_CHAIN:
            return names
        if sector > MAX_SECTOR:
            raise NotCompoundFile("bad directory chain")
        data = _read_sector(file, sector, sector_size)
        for offset in range(0, sector_size, DIRECTORY_ENTRY_SIZE):
            length = struct.unpack_from("<H", data, offset + 64)[0]
            kind = data[offset + 66]
            if kind in (1, 2, 5) and 2 <= length <= 64:
                names.add(data[offset : offset + length - 2].decode("utf-16-le", errors="replace"))
        sector = next_sector(sector)
    raise NotCompoundFile("directory chain too long")


def _fat_sector_numbers(file: BinaryIO, header: bytes, sector_size: int) -> list[int]:
    count = struct.unpack_from("<I", header, 0x2C)[0]
    numbers = [n for n in struct.unpack_from(f"<{DIFAT_IN_HEADER}I", header, 0x4C) if n <= MAX_SECTOR]
    difat_sector = struct.unpack_from("<I", header, 0x44)[0]
    per_difat_sector = sector_size // 4 - 1  # the last slot links to the next DIFAT sector
    for _ in range(MAX_DIRECTORY_SECTORS):
        if len(numbers) >= count or difat_sector > MAX_SECTOR:
            break
        values = struct.unpack(f"<{per_difat_sector + 1}I", _read_sector(file, difat_sector, sector_size))
        numbers.extend(n for n in values[:per_difat_sector] if n <= MAX_SECTOR)
        difat_sector = values[per_difat_sector]
    return numbers[:count]


def _read_sector(file: BinaryIO, sector: int, sector_size: int) -> bytes:
    # Sector 0 starts right after the header, which occupies one sector-sized slot.
    file.seek((sector + 1) * sector_size)
    data = file.read(sector_size)
    if len(data) != sector_size:
        raise NotCompoundFile(f"sector {sector} is past the end of the file")
    return data
