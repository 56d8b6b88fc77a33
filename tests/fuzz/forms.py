"""The forms the pages render, read from their HTML, and the FlaskForm classes the code defines."""

from __future__ import annotations

import importlib
import pkgutil
import urllib.parse
from dataclasses import dataclass, field
from html.parser import HTMLParser

from flask_wtf import FlaskForm
from wtforms.fields.core import UnboundField

import intersession

# Modules that cannot be imported in a web process's tests (none today); reason beside each.
UNIMPORTABLE: dict[str, str] = {}


@dataclass
class Control:
    name: str
    kind: str  # input type, "select", "textarea", "button"
    value: str = ""
    checked: bool = False  # checkboxes and radios; a selected option for selects
    options: list[tuple[str, bool]] = field(default_factory=list)  # selects: (value, selected)
    multiple: bool = False


@dataclass
class PageForm:
    action: str
    method: str
    multipart: bool
    controls: list[Control] = field(default_factory=list)

    def names(self) -> set[str]:
        return {c.name for c in self.controls}

    def buttons(self) -> list[Control]:
        return [c for c in self.controls if c.kind in ("submit", "button") and c.name]

    def baseline(self, button: Control | None) -> list[tuple[str, str]]:
        """What a browser sends for the form as rendered, pressing `button`."""
        pairs: list[tuple[str, str]] = []
        radios: set[str] = set()
        for c in self.controls:
            if c.kind in ("submit", "button", "file", "reset", "image"):
                continue
            if c.kind == "checkbox":
                if c.checked:
                    pairs.append((c.name, c.value or "on"))
            elif c.kind == "radio":
                if c.checked and c.name not in radios:
                    radios.add(c.name)
                    pairs.append((c.name, c.value))
            elif c.kind == "select":
                chosen = [v for v, selected in c.options if selected]
                if not chosen and c.options and not c.multiple:
                    chosen = [c.options[0][0]]
                pairs.extend((c.name, v) for v in chosen)
            else:
                pairs.append((c.name, c.value))
        if button is not None:
            pairs.append((button.name, button.value))
        return pairs

    def key(self) -> tuple[str, str, tuple[str, ...]]:
        return (self.action, self.method, tuple(sorted(self.names())))


class FormParser(HTMLParser):
    def __init__(self, page_path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: list[PageForm] = []
        self.form: PageForm | None = None
        self.select: Control | None = None
        self.option: tuple[str, bool] | None = None
        self.textarea: Control | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            action = urllib.parse.urljoin(self.page_path, a.get("action") or self.page_path)
            self.form = PageForm(action=action, method=(a.get("method") or "get").upper(),
                                 multipart="multipart" in a.get("enctype", ""))  # fmt: skip
            self.forms.append(self.form)
            return
        if self.form is None:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            self.form.controls.append(
                Control(name, kind, a.get("value", ""), checked="checked" in a)
            )
        elif tag == "button" and a.get("type", "submit").lower() == "submit":
            self.form.controls.append(Control(name, "button", a.get("value", "")))
        elif tag == "select" and name:
            self.select = Control(name, "select", multiple="multiple" in a)
            self.form.controls.append(self.select)
        elif tag == "option" and self.select is not None:
            self.option = (a.get("value", ""), "selected" in a)
            self.select.options.append(self.option)
        elif tag == "textarea" and name:
            self.textarea = Control(name, "textarea")
            self.form.controls.append(self.textarea)

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.textarea.value += data
        if self.option is not None and self.select is not None and self.option[0] == "":
            pass  # an option without a value attribute sends its text; ours all have one

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None
        elif tag == "option":
            self.option = None
        elif tag == "textarea":
            if self.textarea is not None and self.textarea.value.startswith("\n"):
                self.textarea.value = self.textarea.value[1:]  # as browsers read it
            self.textarea = None


def page_forms(page_path: str, html: str) -> list[PageForm]:
    parser = FormParser(page_path)
    parser.feed(html)
    return [f for f in parser.forms if f.method == "POST" or f.controls]


def form_classes() -> list[type[FlaskForm]]:
    """Every FlaskForm subclass the package defines, after importing all of its modules."""
    for module in pkgutil.walk_packages(intersession.__path__, "intersession."):
        if module.name not in UNIMPORTABLE:
            importlib.import_module(module.name)
    found: list[type[FlaskForm]] = []
    todo = list(FlaskForm.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("intersession.") and cls not in found:
            found.append(cls)
    return sorted(found, key=lambda c: (c.__module__, c.__qualname__))


def field_names(cls: type[FlaskForm]) -> set[str]:
    return {n for n in dir(cls) if isinstance(getattr(cls, n, None), UnboundField)}


def renders(cls: type[FlaskForm], form: PageForm) -> bool:
    """The page's form carries every field of the class (with or without a prefix, or as the
    rows of a FieldList), and a CSRF token."""
    names = form.names()
    if not any(n == "csrf_token" or n.endswith("-csrf_token") for n in names):
        return False

    def present(wanted: str) -> bool:
        return any(
            n == wanted or n.endswith("-" + wanted) or n.startswith(wanted + "-") for n in names
        )

    return all(present(f) for f in field_names(cls))
