"""An HTML document as tests read it: a flat list of (tag, attributes), the text inside
each element id, and all of its text (html.parser, so no browser and no dependency)."""

from __future__ import annotations

from html.parser import HTMLParser

VOID = ("input", "meta", "link", "br", "img", "hr", "rect", "line", "path", "circle")


class Doc(HTMLParser):
    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self._open: list[tuple[str, dict, list[str]]] = []
        self.text_by_id: dict[str, str] = {}
        self._text: list[str] = []
        self.feed(html)
        self.close()
        self.text = "".join(self._text)

    def handle_starttag(self, tag, attrs):
        attributes = {k: (v or "") for k, v in attrs}
        self.elements.append((tag, attributes))
        if tag not in VOID:
            self._open.append((tag, attributes, []))

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, {k: (v or "") for k, v in attrs}))

    def handle_endtag(self, tag):
        while self._open:
            name, attributes, chunks = self._open.pop()
            text = "".join(chunks)
            if attributes.get("id"):
                self.text_by_id[attributes["id"]] = text
            if self._open:
                self._open[-1][2].append(text)
            if name == tag:
                break

    def handle_data(self, data):
        self._text.append(data)
        if self._open:
            self._open[-1][2].append(data)

    def find(self, tag: str, **attrs) -> list[dict]:
        return [a for t, a in self.elements if t == tag and all(a.get(k) == v for k, v in attrs.items())]
