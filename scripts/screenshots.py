"""Screenshots of the home page, a board and a person's page for the README.

Start the demo (`make run`), then: `.venv/bin/python scripts/screenshots.py`
(or `--base http://127.0.0.1:8000`). Writes docs/screenshots/<page>-<size>.png at
390×844 (a phone) and 1366×768 (an office PC), signed in as the demo learner
`hocvien` for their own page. The PNGs are reduced to 256 colours (a third of the
bytes; the pages are flat colours and text).
"""

import argparse
import io
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
SIZES = [(390, 844), (1366, 768)]


def save(png: bytes, path: Path) -> None:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.quantize(256, dither=Image.Dither.NONE).save(path, optimize=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--board", default="/leaderboards/1-2-village-week-points/")
    parser.add_argument("--user", default="hocvien")
    parser.add_argument("--password", default="HocSo@2025")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--headless"]
        )
        for width, height in SIZES:
            size = f"{width}x{height}"
            visitor = browser.new_context(
                viewport={"width": width, "height": height}, locale="vi-VN"
            ).new_page()
            for name, path in (("home", "/"), ("board", args.board)):
                visitor.goto(args.base + path)
                visitor.wait_for_timeout(800)  # the board's socket says it is live
                save(visitor.screenshot(), OUT / f"{name}-{size}.png")
            visitor.context.close()
            person = browser.new_context(
                viewport={"width": width, "height": height}, locale="vi-VN"
            ).new_page()
            person.goto(args.base + "/accounts/login/")
            person.fill("input[name=login]", args.user)
            person.fill("input[name=password]", args.password)
            person.click("main form button[type=submit]")
            person.wait_for_url("**/me/")
            save(person.screenshot(), OUT / f"me-{size}.png")
            person.context.close()
        browser.close()


if __name__ == "__main__":
    main()
