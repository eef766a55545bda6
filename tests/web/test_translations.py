"""Every string of the interface has a zh-CN translation, and the catalog is current."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "saas/translations/zh_Hans_CN/LC_MESSAGES/messages.po"
METHODS = [
    ("saas/**.py", "python"), ("plugins/**.py", "python"),
    ("saas/**/templates/**.html", "jinja2"),
]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}


def _source_messages() -> set[str]:
    found = set()
    for _name, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=METHODS, keywords=KEYWORDS,
        options_map={"saas/**/templates/**.html": {"extensions": "jinja2.ext.i18n"}},
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def _catalog() -> dict[str, str]:
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    return {
        (m.id if isinstance(m.id, str) else m.id[0]): (
            m.string if isinstance(m.string, str) else m.string[0]
        )
        for m in catalog if m.id and not m.fuzzy
    }


def test_every_interface_string_is_translated() -> None:
    source = _source_messages()
    assert len(source) > 100, "extraction found too little; check the method map"
    catalog = _catalog()
    missing = sorted(m for m in source if not catalog.get(m))
    assert not missing, "run `make translations` and translate:\n" + "\n".join(missing)


def test_translations_keep_their_placeholders() -> None:
    placeholder = re.compile(r"%\(\w+\)[sd]")
    wrong = [
        msgid for msgid, text in _catalog().items()
        if sorted(placeholder.findall(msgid)) != sorted(placeholder.findall(text))
    ]
    assert not wrong, wrong
