"""A small DevTools-protocol client for headless Chromium, shared by the browser tests (dashboard_actions.py,
demo_report.sh).

Clicks are mouse events at the element's place on the screen and text is typed with Input.insertText, as
a person would.
"""
import base64
import json
import os
import subprocess
import sys
import time
import urllib.request

import websocket  # Debian package python3-websocket


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


class Browser:
    """Chromium started with a DevTools port; `work` holds its profile and log, screenshots go to `artifacts`
    named `<prefix>-<name>.png`."""

    def __init__(self, chromium, work, artifacts, prefix):
        self.artifacts, self.prefix = artifacts, prefix
        profile = os.path.join(work, "cdp-profile")
        self.process = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-extensions", "--remote-debugging-port=0", "--user-data-dir=" + profile,
             "--window-size=1400,1600", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "cdp-chromium.log"), "w"))
        port_file = os.path.join(profile, "DevToolsActivePort")
        for _ in range(300):
            if os.path.exists(port_file) and open(port_file).read().count("\n") >= 1:
                break
            time.sleep(0.1)
        port = open(port_file).read().split("\n")[0].strip()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as answer:
            pages = [t for t in json.load(answer) if t["type"] == "page"]
        check(pages, "chromium has no page to drive")
        self.ws = websocket.create_connection(pages[0]["webSocketDebuggerUrl"], timeout=30)
        self.next_id = 0

    def close(self):
        self.ws.close()
        self.process.terminate()
        self.process.wait(timeout=20)

    def send(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    fail(f"{method}: {message['error']}")
                return message.get("result", {})

    def js(self, expression):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            fail(f"script error in {expression!r}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait(self, expression, what, seconds=20):
        deadline = time.time() + seconds
        while time.time() < deadline:
            # Until the page has loaded, the elements the expression reads may not exist yet.
            if self.js(f"(() => {{ try {{ return !!({expression}); }} catch (e) {{ return false; }} }})()"):
                return
            time.sleep(0.1)
        self.screenshot("failure")
        fail(f"timed out waiting for {what} ({expression})")

    def text(self, selector):
        return self.js(f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
                       f" return e ? e.textContent.trim() : null; }})()")

    def visible(self, selector):
        return self.js(f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
                       f" return !!e && e.offsetParent !== null; }})()")

    def click(self, selector):
        """A left click with the mouse in the middle of the element, after scrolling it into view."""
        box = self.js(f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
                      f" if (!e || e.offsetParent === null) return null; e.scrollIntoView({{block: 'center'}});"
                      f" const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; }})()")
        check(box is not None, f"nothing visible to click at {selector}")
        x, y = box
        self.send("Input.dispatchMouseEvent", type="mouseMoved", x=x, y=y)
        self.send("Input.dispatchMouseEvent", type="mousePressed", x=x, y=y, button="left", clickCount=1)
        self.send("Input.dispatchMouseEvent", type="mouseReleased", x=x, y=y, button="left", clickCount=1)

    def type(self, selector, text):
        self.click(selector)
        self.js(f"document.querySelector({json.dumps(selector)}).select()")
        self.send("Input.insertText", text=text)

    def choose(self, selector, value):
        """Picks an option of a <select>. Headless Chromium draws no popup for a <select>, so the choice is
        set on the element with a change event; the form is then submitted with a real click."""
        self.js(f"(() => {{ const s = document.querySelector({json.dumps(selector)}); s.focus();"
                f" s.value = {json.dumps(value)}; s.dispatchEvent(new Event('change', {{bubbles: true}})); }})()")
        check(self.js(f"document.querySelector({json.dumps(selector)}).value") == value, f"could not choose {value}")

    def screenshot(self, name):
        data = self.send("Page.captureScreenshot", format="png")["data"]
        path = os.path.join(self.artifacts, f"{self.prefix}-{name}.png")
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
        return path

    def loaded_after(self, before):
        """True once the status line shows a refresh newer than `before`."""
        return self.text("#status") != before and (self.text("#status") or "").startswith("updated")
