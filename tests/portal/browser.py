"""What the portal's browser tests share: a real server on 127.0.0.1, Debian's Chromium
driven by Playwright with JavaScript off, and the checks a visitor would notice on every
page (labels, the skip link, the page language, headings, text contrast)."""

from __future__ import annotations

import itertools
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn

from breachdesk.config import get_settings
from breachdesk.main import create_app
from breachdesk.portal.text import TEXT

CHROMIUM = Path("/usr/bin/chromium")
# Debian's build, quiet: nothing fetched from anywhere but the server under test.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
DESKTOP = {"width": 1024, "height": 768}
PHONE = {"width": 360, "height": 740}
AA_CONTRAST = 4.5  # WCAG 2.1 success criterion 1.4.3, normal-size text


@contextmanager
def serving() -> Iterator[str]:
    """The app, from the environment's settings, served by uvicorn on a free port of
    127.0.0.1 in a thread, until the block ends; yields its base URL."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(
        create_app(get_settings()), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(base, thread)
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()


def _wait_until_healthy(base: str, thread: threading.Thread) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and thread.is_alive():
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=1) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"the portal did not answer {base}/healthz")


# --- contrast ---------------------------------------------------------------------------


def luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG 2.1 relative luminance of an sRGB colour given as 0-255 channels."""

    def linear(channel: float) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(channel) for channel in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(
    foreground: tuple[float, float, float], background: tuple[float, float, float]
) -> float:
    """WCAG 2.1 contrast ratio, (L1 + 0.05) / (L2 + 0.05), lighter over darker."""
    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def parse_rgb(css: str) -> tuple[float, float, float, float]:
    """``rgb(r, g, b)`` or ``rgba(r, g, b, a)`` as computed by the browser."""
    inside = css[css.index("(") + 1 : css.rindex(")")].replace("/", ",").replace(" ", ",")
    numbers = [float(part) for part in inside.split(",") if part]
    return (*numbers[:3], numbers[3] if len(numbers) > 3 else 1.0)  # type: ignore[return-value]


# Runs through the DevTools protocol, which Playwright uses even when the context has
# JavaScript disabled for the page's own scripts (the portal has none anyway).
TEXT_COLOURS = """() => {
  const opaque = (element) => {
    for (let node = element; node; node = node.parentElement) {
      const colour = getComputedStyle(node).backgroundColor;
      if (!/rgba\\(.*, 0\\)$/.test(colour) && colour !== 'transparent') return colour;
    }
    return 'rgb(255, 255, 255)';
  };
  const texts = document.querySelectorAll(
    'h1, h2, h3, p, li, dt, dd, a, label, button, th, td, strong, time, input, textarea');
  return Array.from(texts)
    .filter((e) => e.getClientRects().length && (e.innerText || e.value || '').trim())
    .map((e) => ({
      what: e.tagName.toLowerCase() + (e.className ? '.' + e.className : '') + ' "'
        + (e.innerText || e.value).trim().slice(0, 40) + '"',
      colour: getComputedStyle(e).color,
      background: opaque(e),
    }));
}"""


def low_contrast(page: Any) -> list[str]:
    """Visible text whose colour over its background falls short of WCAG AA."""
    failures = []
    for text in page.evaluate(TEXT_COLOURS):
        *colour, alpha = parse_rgb(text["colour"])
        background = parse_rgb(text["background"])[:3]
        # Translucent text is blended over its background, as it is drawn.
        drawn = tuple(alpha * c + (1 - alpha) * b for c, b in zip(colour, background, strict=True))
        ratio = contrast(drawn, background)
        if ratio < AA_CONTRAST:
            failures.append(f"{text['what']}: {ratio:.2f}:1")
    return failures


def english_left_over(text: str, language: str) -> list[str]:
    """The portal's own English wording found in ``text``, a page in ``language``. The
    language switch ("English") is meant to be there."""
    return [
        english
        for key, entry in TEXT.items()
        if key != "switch"
        and len(english := entry["en"].split("{")[0].strip()) >= 4
        and english != entry.get(language)
        and english in text
    ]


# --- what a visitor notices -------------------------------------------------------------


@dataclass
class Visitor:
    """One browser tab, without JavaScript, on the portal in one language."""

    page: Any
    language: str
    shots: Path
    console: list[str] = field(default_factory=list)
    status: int = 0  # of the last page loaded
    loads: int = 0  # pages loaded so far
    taken: list[Path] = field(default_factory=list)

    def listen(self) -> None:
        def loaded(response: Any) -> None:
            if response.request.resource_type == "document":
                self.status = response.status
                self.loads += 1

        def heard(message: Any) -> None:
            text, where = message.text, message.location.get("url", "")
            # Chromium reports a page's own 4xx as a failed load; look() checks its status.
            if text.startswith("Failed to load resource") and (
                where.split("#")[0] == self.page.url.split("#")[0]
            ):
                return
            if message.type == "error" or "Refused to" in text or "Content Security" in text:
                self.console.append(f"{message.type}: {text} ({where})")

        self.page.on("response", loaded)
        self.page.on("console", heard)
        self.page.on("pageerror", lambda error: self.console.append(f"page error: {error}"))

    def look(
        self, name: str, *, status: int = 200, keyboard: bool = False, phone: bool = False
    ) -> None:
        """Check the page as it stands (answered with ``status``), then photograph it
        (full page) as ``<language>-<name>.png``, and with ``phone`` on a phone's screen
        too. With ``keyboard``, on a freshly loaded page, also check that the skip link
        is the first stop of Tab and leads into main."""
        page = self.page
        assert not self.console, self.console
        assert self.status == status
        assert page.locator("html").get_attribute("lang") == self.language
        if self.language != "en":
            assert english_left_over(page.locator("body").inner_text(), self.language) == []
        self._headings_start_at_one_h1()
        self._every_field_is_labelled()
        assert low_contrast(page) == [], "text below WCAG AA contrast"
        self.photograph(name, full_page=True)
        self._fits_a_phone(name, photograph=phone)
        if keyboard:
            self._skip_link_leads_to_main(name)

    def _fits_a_phone(self, name: str, *, photograph: bool) -> None:
        page = self.page
        page.set_viewport_size(PHONE)
        try:
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if photograph:
                self.photograph(f"{name}-phone", full_page=True)
        finally:
            page.set_viewport_size(DESKTOP)
        assert overflow <= 0, f"{name} is {overflow}px wider than a phone's screen"

    def photograph(self, name: str, *, full_page: bool) -> None:
        path = self.shots / f"{self.language}-{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        self.taken.append(path)

    def _headings_start_at_one_h1(self) -> None:
        levels = self.page.locator("h1, h2, h3, h4, h5, h6").evaluate_all(
            "(hs) => hs.map((h) => Number(h.tagName[1]))"
        )
        assert levels[:1] == [1] and levels.count(1) == 1, levels
        for before, after in itertools.pairwise(levels):
            assert after <= before + 1, f"a heading level is skipped: {levels}"

    def _every_field_is_labelled(self) -> None:
        page = self.page
        fields = page.locator("input:not([type=hidden]), textarea, select")
        ids = fields.evaluate_all("(fs) => fs.map((f) => f.id)")
        assert all(ids), "a field without an id cannot have a <label for>"
        labels = dict(
            page.locator("label[for]").evaluate_all(
                "(ls) => ls.map((l) => [l.htmlFor, l.textContent.trim()])"
            )
        )
        for field_id in ids:
            assert labels.get(field_id), f"#{field_id} has no <label for>"
            found = page.get_by_label(labels[field_id], exact=True)
            assert found.count() == 1 and found.get_attribute("id") == field_id, field_id

    def _skip_link_leads_to_main(self, name: str) -> None:
        page = self.page
        page.keyboard.press("Tab")
        focused = page.locator(":focus")
        assert focused.get_attribute("class") == "skip"
        assert focused.get_attribute("href") == "#main"
        self.photograph(f"{name}-skip-link", full_page=False)  # shown when focused
        page.keyboard.press("Enter")
        # Following a fragment link is a same-document navigation the browser
        # finishes after the key event returns; wait for it rather than race it.
        page.wait_for_function("location.hash === '#main'", timeout=5_000)
        page.keyboard.press("Tab")  # sequential navigation now starts inside main
        if page.locator("main").locator("a, input, textarea, button").count():
            assert page.locator("main :focus").count() == 1
        assert page.locator("header :focus").count() == 0
