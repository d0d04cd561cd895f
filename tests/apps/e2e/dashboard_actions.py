"""Drives the dashboard in headless Chromium over the DevTools protocol (dashboard_actions.sh starts the server).

Clicks are mouse events at the element's place on the screen and text is typed with Input.insertText, as
a person would; after each action the API is asked directly whether the server did it.
"""
import json
import os
import urllib.request

from cdp_browser import Browser, check  # next to this file, so on the path of a script run by its path

URL = os.environ["SEFLEET_URL"].rstrip("/")
TOKEN = os.environ["SEFLEET_TOKEN"]
CAMPAIGN = os.environ["SEFLEET_CAMPAIGN"]
WORK = os.environ["SEFLEET_WORK"]
ARTIFACTS = os.environ["SEFLEET_ARTIFACTS"]


def api(path, body=None):
    request = urllib.request.Request(URL + path, headers={"Authorization": "Bearer " + TOKEN})
    if body is not None:
        request.data = json.dumps(body).encode()
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=20) as answer:
        return json.load(answer)


def main():
    browser = Browser(os.environ["SEFLEET_CHROMIUM"], WORK, ARTIFACTS, "dashboard-actions")
    try:
        run(browser)
    finally:
        browser.close()


def campaign_state():
    return api(f"/v1/campaigns/{CAMPAIGN}")


def run(b):
    b.send("Page.enable")
    b.send("Page.navigate", url=f"{URL}/#token={TOKEN}&campaign={CAMPAIGN.upper()}")
    b.wait(f"document.querySelector('#campaign-{CAMPAIGN}-state') !== null && "
           "document.querySelector('#detail').hidden === false", "the campaign page")
    c = campaign_state()
    check(c["state"] == "completed", f"the demo campaign is {c['state']}, expected completed")
    check(b.text(f"#campaign-{CAMPAIGN}-state") == "completed", "campaign state badge")
    for s, n in c["progress"].items():
        check(b.text(f"#campaign-{CAMPAIGN}-{s}") == str(n), f"{s}: page {b.text(f'#campaign-{CAMPAIGN}-{s}')}, API {n}")
    check(b.text("#detail-image") == f"{c['image']['type']} {c['image']['version_text']} ({c['image']['name']})",
          f"image shown as {b.text('#detail-image')}")
    check(not any(b.visible(f"#action-{op}") for op in ("pause", "resume", "cancel", "activate")),
          "a completed campaign offers actions")
    b.screenshot("campaign")

    # Device list: server pages of 50, total from the API, state filter and SE id search.
    b.click("#nav-devices")
    b.wait("location.hash.startsWith('#devices') && document.querySelector('#devices').hidden === false"
           " && document.querySelector('#device-list').dataset.rows !== undefined", "the device list")
    first = api("/v1/devices?limit=50&offset=0")
    check(b.text("#devices-total") == str(first["total"]), f"total: page {b.text('#devices-total')}, API {first['total']}")
    check(first["total"] == 60, f"API total {first['total']}, expected 60")
    check(b.js("document.querySelector('#device-list').dataset.rows") == "50", "first page rows")
    check(b.text("#devices-range") == "1–50", f"range {b.text('#devices-range')}")
    b.click("#devices-next")
    b.wait("document.querySelector('#device-list').dataset.rows === '10'", "the second page")
    second = api("/v1/devices?limit=50&offset=50")
    shown = b.js("Array.from(document.querySelectorAll('#device-list tbody tr')).map(r => r.dataset.se)")
    check(shown == [d["se_id"] for d in second["devices"]], "second page rows differ from the API's")
    check(b.text("#devices-range") == "51–60", f"range {b.text('#devices-range')}")
    check(b.js("document.querySelector('#devices-next').disabled"), "Next enabled on the last page")
    b.screenshot("devices")

    b.choose("#filter-state", "quarantined")
    b.click("#device-filter button[type=submit]")
    quarantined = api("/v1/devices?state=quarantined&limit=50&offset=0")
    check(quarantined["total"] >= 2, f"the demo quarantined {quarantined['total']} SEs, expected at least 2")
    b.wait("location.hash.includes('state=quarantined') && document.querySelector('#device-list').dataset.rows === "
           f"'{len(quarantined['devices'])}'", "the quarantined devices")
    check(b.text("#devices-total") == str(quarantined["total"]), "quarantined total")
    shown = b.js("Array.from(document.querySelectorAll('#device-list tbody tr')).map(r => r.dataset.se)")
    check(shown == [d["se_id"] for d in quarantined["devices"]], "quarantined rows differ from the API's")
    target, other = quarantined["devices"][0]["se_id"], quarantined["devices"][1]["se_id"]

    b.choose("#filter-state", "")
    b.type("#filter-q", target[-8:].upper())
    b.click("#device-filter button[type=submit]")
    b.wait(f"location.hash.includes('q=') && document.querySelector('#devices-total').textContent === "
           f"'{api('/v1/devices?limit=50&q=' + target[-8:])['total']}' && "
           f"document.querySelector('#device-list tbody tr').dataset.se === '{target}'", "the search by SE id")
    # "starts with": the same digits match nothing (they are the id's end), the id's first digits match.
    b.choose("#filter-match", "prefix")
    b.click("#device-filter button[type=submit]")
    b.wait("location.hash.includes('match=prefix') && document.querySelector('#devices-total').textContent === "
           f"'{api('/v1/devices?limit=50&match=prefix&q=' + target[-8:])['total']}'", "the prefix search")
    check(b.text("#devices-total") == "0", "a prefix search matched digits at the end of the id")
    b.type("#filter-q", target[:6])
    b.click("#device-filter button[type=submit]")
    starting = api("/v1/devices?limit=50&match=prefix&q=" + target[:6])
    b.wait(f"location.hash.includes('q={target[:6]}') && document.querySelector('#devices-total').textContent === "
           f"'{starting['total']}'", "the prefix search by the id's start")
    shown = b.js("Array.from(document.querySelectorAll('#device-list tbody tr')).map(r => r.dataset.se)")
    check(target in shown and shown == [d["se_id"] for d in starting["devices"]], "prefix rows differ from the API's")
    b.choose("#filter-match", "")

    # Only pages were asked for: never every device.
    device_requests = b.js("performance.getEntriesByType('resource').map(e => e.name)"
                           ".filter(n => new URL(n).pathname === '/v1/devices')")
    check(device_requests and all("limit=50" in n for n in device_requests),
          f"the page asked for devices without a limit: {device_requests}")

    # Device page: its history equals the API's.
    b.click(f"#device-list tbody tr[data-se='{target}'] a")
    b.wait(f"location.hash === '#device={target}' && document.querySelector('#device-se').textContent === '{target}'",
           "the device page")
    device = api(f"/v1/devices/{target}")
    reports = sum(len(a["reports"]) for a in device["history"])
    check(b.js("document.querySelector('#device-history').dataset.authorizations") == str(len(device["history"])),
          "authorizations on the device page")
    check(b.js("document.querySelector('#device-history').dataset.reports") == str(reports), "reports on the device page")
    for a in device["history"]:
        for r in a["reports"]:
            check(r["reason"] in b.text("#device-history"), f"report reason missing: {r['reason']}")
    check(b.text(f"#device-campaign-{CAMPAIGN} .badge") == "quarantined", "device state on its page")

    # Release with a note.
    b.type(f"#release-note-{CAMPAIGN}", "reader replaced in the test")
    b.screenshot("device")
    b.click(f"#release-{CAMPAIGN}")
    b.wait("document.querySelector('#action-result').className === 'ok'", "the release to be confirmed")
    after = api(f"/v1/devices/{target}")
    check([x["state"] for x in after["campaigns"] if x["campaign"] == CAMPAIGN] == ["pending"],
          f"after release the API says {after['campaigns']}")
    events = api(f"/v1/campaigns/{CAMPAIGN}/events")["events"]
    check(any(e["kind"] == "released" and "reader replaced in the test" in (e["detail"] or "") for e in events),
          "the release note is not in the events")
    check(campaign_state()["state"] == "active", "the campaign did not reopen")
    b.wait(f"document.querySelector('#device-campaign-{CAMPAIGN} .badge').textContent === 'pending'",
           "the device page to show the release")

    # Campaign actions.
    b.click(f"#device-campaign-{CAMPAIGN} a")
    b.wait("document.querySelector('#action-pause').hidden === false", "the Pause button")
    b.click("#action-pause")
    b.wait(f"document.querySelector('#campaign-{CAMPAIGN}-state').textContent === 'paused'", "paused on the page")
    c = campaign_state()
    check(c["state"] == "paused" and c["pause_reason"] == "operator", f"after Pause the API says {c['state']}")
    check(b.text(f"#campaign-{CAMPAIGN}-pause-reason") == "paused: operator", "pause reason not highlighted")
    check(b.js(f"document.querySelector('#campaign-row-{CAMPAIGN}').classList.contains('campaign-paused')"),
          "paused row not marked")
    b.click("#action-resume")
    b.wait(f"document.querySelector('#campaign-{CAMPAIGN}-state').textContent === 'active'", "active on the page")
    check(campaign_state()["state"] == "active", "after Resume the API is not active")

    # Live update: a pause made elsewhere shows up without a click, and the page stays where it was.
    place = b.js("location.hash")
    before = b.text("#status")
    api(f"/v1/campaigns/{CAMPAIGN}/pause", {})
    b.wait(f"document.querySelector('#campaign-{CAMPAIGN}-state').textContent === 'paused'",
           "the poll to show a pause made through the API", seconds=15)
    check(b.loaded_after(before), "the status line did not move")
    check(b.js("location.hash") == place, "the poll moved the page")
    api(f"/v1/campaigns/{CAMPAIGN}/resume", {})
    b.wait("document.querySelector('#action-pause').hidden === false", "the poll to show the resume", seconds=15)

    # Cancel asks first; "keep" keeps it.
    b.click("#action-cancel")
    b.wait("document.querySelector('#cancel-confirm').hidden === false", "the cancel confirmation")
    b.screenshot("confirm")
    check(campaign_state()["state"] == "active", "cancel happened before the confirmation")
    b.click("#cancel-confirm-no")
    b.wait("document.querySelector('#cancel-confirm').hidden === true", "the confirmation to close")
    check(campaign_state()["state"] == "active", "'keep it running' cancelled the campaign")
    b.click("#action-cancel")
    b.click("#cancel-confirm-yes")
    b.wait(f"document.querySelector('#campaign-{CAMPAIGN}-state').textContent === 'cancelled'", "cancelled on the page")
    check(campaign_state()["state"] == "cancelled", "after the confirmed Cancel the API is not cancelled")
    check(not any(b.visible(f"#action-{op}") for op in ("pause", "resume", "cancel", "activate")),
          "a cancelled campaign offers actions")

    # A refused release: the other quarantined SE, in a cancelled campaign; the server's reason is shown.
    b.send("Page.navigate", url=f"{URL}/#device={other}")
    b.wait(f"document.querySelector('#device-se').textContent === '{other}' && "
           f"document.querySelector('#release-{CAMPAIGN}') !== null", "the other device page")
    b.click(f"#release-{CAMPAIGN}")
    b.wait("document.querySelector('#action-result').className === 'error'", "the refusal")
    shown = b.text("#action-result")
    check("invalid_state" in shown and "refused" in shown, f"refusal shown as {shown!r}")
    check([x["state"] for x in api(f"/v1/devices/{other}")["campaigns"] if x["campaign"] == CAMPAIGN] == ["quarantined"],
          "a refused release changed the device")
    b.screenshot("refused")
    print(f"dashboard actions: device pages 50+10 of {first['total']}, search, release, pause, resume, "
          f"live update, cancel with confirmation, refused release ({shown})")


if __name__ == "__main__":
    main()
