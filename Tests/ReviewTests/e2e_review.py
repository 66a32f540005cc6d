#!/usr/bin/env python3
"""End-to-end test of the review page in headless Chromium (Debian's chromium + chromium-driver).

Usage: e2e_review.py TMINE PIPELINE SCREENSHOT. Starts `tmine review`, accepts the first
suggestion with the keyboard, rejects the second with the mouse, recodes the third, checks that a
turn holding <script> shows those characters, that a foreign Host is refused, reloads, checks
that the three decisions are shown, and saves a screenshot. Exits non-zero on any failure.

e2e_review.py TMINE PIPELINE --many COUNT: a study with COUNT suggestions, more than a page of
them. Checks that the cards come a page at a time (scrolling and the keyboard bring more), that
a decision updates its card without the page loading the suggestions again, and that a run while
the page is open (a transcript added) is noticed when the next cards are fetched.

The first form also drives the status, participant, attribute and code filters and checks what
they show against the state's listing, and the words of a code against the API's.
"""
import http.client
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait


PAGE = 200  # review.js's PAGE


def badge(driver, id_):
    """A card's status as shown (None while the list is being drawn again)."""
    try:
        return driver.find_element(By.CSS_SELECTOR, '.card[data-id="%s"] .badge' % id_).text.lower()
    except (StaleElementReferenceException, NoSuchElementException):
        return None


def state(port, url):
    """The state as the server sends it (its listing: one entry per suggestion)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/api/state", headers={"X-Review-Token": url.split("token=")[1]})
    return json.loads(connection.getresponse().read())


def api(port, url, path):
    """A GET of the review API with the page's token, as JSON."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"X-Review-Token": url.split("token=")[1]})
    return json.loads(connection.getresponse().read())


def code_words(driver, wait, state, port, url):
    """The words of the code suggested most, shown by "Words of this code": the API's rows, in
    its order, each marked as its patterns' or not."""
    suggestions = state["listing"]["suggestions"]
    code = max(sorted({s["code"] for s in suggestions}), key=lambda c: sum(s["code"] == c for s in suggestions))
    button = driver.find_element(By.XPATH, '//ul[@id="tree"]//button[span[1][text()="%s"]]' % code)
    driver.execute_script("arguments[0].click()", button)
    words = api(port, url, "/api/words?code=" + urllib.parse.quote(code))
    assert words["rows"], "no words of %s" % code
    driver.execute_script("arguments[0].click()", driver.find_element(By.ID, "code-words"))
    rows = lambda d: d.find_elements(By.CSS_SELECTOR, "#words-table tr")
    wait.until(lambda d: len(rows(d)) == len(words["rows"]) + 1)
    shown = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")] for tr in rows(driver)[1:]]
    assert [row[0] for row in shown] == [w["word"] for w in words["rows"]], shown
    assert [row[5] == "pattern" for row in shown] == [w["inPatterns"] for w in words["rows"]], shown
    assert ("%d turns carrying it" % words["turns"]) in driver.find_element(By.ID, "words-basis").text
    driver.find_element(By.CSS_SELECTOR, "#words-dialog button").click()
    wait.until(lambda d: not d.find_element(By.ID, "words-dialog").get_attribute("open"))
    driver.execute_script("arguments[0].click()", driver.find_element(By.ID, "clear-code"))
    return "words of a code ok"


def filters(driver, wait, state):
    """Each filter shows the suggestions the listing says it should, counted by the page."""
    def shown():
        more = driver.find_elements(By.CSS_SELECTOR, "p.more")
        if more:
            return int(re.search(r"of (\d+) suggestions", more[0].text).group(1))
        return len(driver.find_elements(By.CSS_SELECTOR, ".card"))

    suggestions, sets = state["listing"]["suggestions"], state["listing"]["attributeSets"]
    paths = {c["name"]: c["path"] for c in state["codes"]}
    status = Select(driver.find_element(By.ID, "filter-status"))
    status.select_by_value("rejected")
    wanted = [s["id"] for s in suggestions if s["status"] == "rejected"]
    wait.until(lambda d: [c.get_attribute("data-id") for c in d.find_elements(By.CSS_SELECTOR, ".card")] == wanted)
    # Where the coders disagree (another coder accepted every suggestion beforehand).
    status.select_by_value("conflict")
    disputed = [s["id"] for s in suggestions if s.get("conflict")]
    assert disputed, "no conflict listed"
    wait.until(lambda d: sorted(c.get_attribute("data-id") for c in d.find_elements(By.CSS_SELECTOR, ".card")) == sorted(disputed))
    status.select_by_value("")
    participant = sorted({s["participantID"] for s in suggestions if s.get("participantID")})[0]
    Select(driver.find_element(By.ID, "filter-participant")).select_by_value(participant)
    wait.until(lambda d: shown() == sum(s.get("participantID") == participant for s in suggestions))
    # Suggestions of speakers tied to no participant have an entry of their own.
    nobody = sum(not s.get("participantID") for s in suggestions)
    assert nobody, "the study has no suggestion without a participant"
    Select(driver.find_element(By.ID, "filter-participant")).select_by_visible_text("(no participant)")
    wait.until(lambda d: shown() == nobody)
    Select(driver.find_element(By.ID, "filter-participant")).select_by_value("")
    key, value = next((k, v) for set_ in sets for k, v in sorted(set_.items()) if k != "transcript")
    Select(driver.find_element(By.ID, "filter-attribute")).select_by_value(key + "=" + value)
    wait.until(lambda d: shown() == sum(sets[s["attributes"]].get(key) == value for s in suggestions))
    Select(driver.find_element(By.ID, "filter-attribute")).select_by_value("")
    # In a turn with a code: the other codes' suggestions in the turns where it is suggested and
    # not rejected by this coder (counted here from the listing, turn by turn).
    def turn(s):
        return (s["documentID"], s["turn"])
    with_code = max(sorted(paths), key=lambda code: sum(
        s["code"] != code and turn(s) in {turn(t) for t in suggestions if t["code"] == code and t["status"] != "rejected"}
        for s in suggestions))
    turns = {turn(t) for t in suggestions if t["code"] == with_code and t["status"] != "rejected"}
    together = sum(s["code"] != with_code and turn(s) in turns for s in suggestions)
    assert together, "no two codes share a turn"
    Select(driver.find_element(By.ID, "filter-with")).select_by_value(with_code)
    wait.until(lambda d: shown() == together)
    Select(driver.find_element(By.ID, "filter-with")).select_by_value("")
    wait.until(lambda d: shown() == len(suggestions))
    # A code in the tree shows its own suggestions and those of the codes below it.
    code = paths[suggestions[-1]["code"]][0]
    button = driver.find_element(By.XPATH, '//ul[@id="tree"]//button[span[1][text()="%s"]]' % code)
    driver.execute_script("arguments[0].click()", button)  # the sticky header may cover it
    wait.until(lambda d: shown() == sum(code in paths[s["code"]] for s in suggestions))
    driver.execute_script("arguments[0].click()", driver.find_element(By.ID, "clear-code"))
    wait.until(lambda d: shown() == len(suggestions))
    return "filters ok"


def many(driver, wait, total, tmine, pipeline):
    """Cards a page at a time; a decision answered without loading the state again; a run
    while the page is open is noticed when the next cards are fetched."""
    cards = lambda: len(driver.find_elements(By.CSS_SELECTOR, ".card"))
    wait.until(lambda d: cards() == PAGE)
    more = driver.find_element(By.CSS_SELECTOR, "p.more")
    assert ("of %d suggestions" % total) in more.text, more.text
    driver.execute_script("arguments[0].scrollIntoView()", more)
    wait.until(lambda d: cards() == min(2 * PAGE, total))
    # The keyboard walks past what is shown: another page is shown.
    driver.find_element(By.TAG_NAME, "body").send_keys("j" * (2 * PAGE + 10))
    wait.until(lambda d: cards() == 3 * PAGE)
    active = driver.find_element(By.CSS_SELECTOR, ".card.active").get_attribute("data-id")
    position = [c.get_attribute("data-id") for c in driver.find_elements(By.CSS_SELECTOR, ".card")].index(active)
    assert position == 2 * PAGE + 10, position
    loads = "return performance.getEntriesByType('resource').filter(e => e.name.includes('/api/state')).length"
    assert driver.execute_script(loads) == 1
    driver.find_element(By.TAG_NAME, "body").send_keys("a")
    wait.until(lambda d: badge(d, active) == "accepted")
    assert driver.execute_script(loads) == 1, "the state was loaded again after a decision"
    progress = driver.find_element(By.ID, "progress").text
    assert progress == "reviewed 1 / %d" % total, progress
    corpus = os.path.join(os.path.dirname(pipeline), "corpus")
    with open(os.path.join(corpus, "interview-99.txt"), "w", encoding="utf-8") as new:
        new.write("Interviewer: And the hype?\nP12: So much hype, honestly.\n")
    subprocess.run([tmine, "run", pipeline], check=True, capture_output=True)
    driver.execute_script("arguments[0].scrollIntoView()", driver.find_element(By.CSS_SELECTOR, "p.more"))
    wait.until(lambda d: d.execute_script(loads) == 2)
    wait.until(lambda d: d.find_element(By.ID, "progress").text.startswith("reviewed 1 / "))
    after = int(driver.find_element(By.ID, "progress").text.split("/ ")[1])
    assert after > total, (after, total)
    print("ok:", progress, "then", after, "after a run")


def main():
    tmine, pipeline = sys.argv[1:3]
    screenshot = sys.argv[3] if sys.argv[3] != "--many" else None
    server = subprocess.Popen([tmine, "review", pipeline, "--coder", "e2e"], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    driver = None
    try:
        url = None
        deadline = time.time() + 60
        while time.time() < deadline and url is None:
            line = server.stdout.readline()
            if not line:
                raise SystemExit("tmine review exited: " + (server.stdout.read() or ""))
            match = re.search(r"(http://127\.0\.0\.1:(\d+)/\?token=[0-9a-f]+)", line)
            if match:
                url, port = match.group(1), int(match.group(2))
        assert url, "no address printed"

        # DNS rebinding: a foreign Host header is refused even with the token.
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.putrequest("GET", url[url.index("/?"):], skip_host=True)
        connection.putheader("Host", "evil.example:%d" % port)
        connection.endheaders()
        assert connection.getresponse().status == 403, "a foreign Host was served"

        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,800",
                         "--disable-gpu", "--no-first-run", "--disable-background-networking"]:
            options.add_argument(argument)
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        wait = WebDriverWait(driver, 20)
        driver.get(url)
        if screenshot is None:
            many(driver, wait, int(sys.argv[4]), tmine, pipeline)
            return
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".card")))
        cards = driver.find_elements(By.CSS_SELECTOR, ".card")
        first, second, third = [card.get_attribute("data-id") for card in cards[:3]]

        def status(id_):
            return badge(driver, id_)

        def wait_status(id_, expected):
            wait.until(lambda d: status(id_) == expected)

        body = driver.find_element(By.TAG_NAME, "body")
        body.send_keys("a")  # keyboard: accept the first (active) card
        wait_status(first, "accepted")

        reject = driver.find_element(By.XPATH, '//article[@data-id="%s"]//button[starts-with(., "Reject")]' % second)
        reject.click()  # mouse
        wait_status(second, "rejected")

        # Deciding moves on to the next suggestion: the third is active now.
        def is_active(id_):
            try:
                return "active" in driver.find_element(By.CSS_SELECTOR, '.card[data-id="%s"]' % id_).get_attribute("class")
            except (StaleElementReferenceException, NoSuchElementException):
                return False

        wait.until(lambda d: is_active(third))
        driver.find_element(By.TAG_NAME, "body").send_keys("c")
        choice = wait.until(EC.visibility_of_element_located((By.ID, "code-choice")))
        # Every code but the suggested one is offered (recoding to it would be accepting).
        own = driver.find_element(By.CSS_SELECTOR, '.card[data-id="%s"] .meta .code' % third).text
        offered = [option.get_attribute("value") for option in Select(choice).options]
        assert own not in offered and "Serendipity" in offered, (own, offered)
        Select(choice).select_by_value("Serendipity")
        choice.send_keys(Keys.ENTER)
        wait_status(third, "recoded")

        # Text coded by hand: the active (third) card's first five characters selected, "m", a code.
        def code_selection():
            driver.execute_script("""
                const turn = document.querySelector('.card[data-id="' + arguments[0] + '"] .turn');
                const node = document.createTreeWalker(turn, NodeFilter.SHOW_TEXT).nextNode();
                const range = document.createRange();
                range.setStart(node, 0);
                range.setEnd(node, Math.min(5, node.length));
                window.getSelection().removeAllRanges();
                window.getSelection().addRange(range);""", third)
            ActionChains(driver).send_keys("m").perform()
            picker = wait.until(EC.visibility_of_element_located((By.ID, "code-choice")))
            Select(picker).select_by_value("Serendipity")
            picker.send_keys(Keys.ENTER)

        def by_hand():
            try:
                return [p.text for p in driver.find_elements(By.CSS_SELECTOR, '.card[data-id="%s"] .manual-coding' % third)]
            except StaleElementReferenceException:
                return None

        code_selection()
        wait.until(lambda d: by_hand() and len(by_hand()) == 1)
        shown = by_hand()[0]
        assert shown.startswith("Serendipity by hand: “") and shown.endswith("” Remove"), shown
        remove = driver.find_element(By.XPATH, '//article[@data-id="%s"]//p[@class="manual-coding"]/button' % third)
        remove.click()
        wait.until(lambda d: by_hand() == [])
        code_selection()  # made again, kept: shown after the reload below
        wait.until(lambda d: by_hand() and len(by_hand()) == 1)

        # Markup in a turn is text, never markup.
        texts = [p.text for p in driver.find_elements(By.CSS_SELECTOR, ".turn")]
        assert any("<script>alert('x')</script>" in text for text in texts), "the <script> turn is not shown as text"
        assert len(driver.find_elements(By.CSS_SELECTOR, ".turn script, .turn b")) == 0, "markup was inserted"

        driver.refresh()
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".card")))
        assert status(first) == "accepted" and status(second) == "rejected" and status(third) == "recoded", "lost on reload"
        wait.until(lambda d: by_hand() and len(by_hand()) == 1)
        progress = driver.find_element(By.ID, "progress").text
        assert progress.startswith("reviewed 3 /"), progress
        driver.save_screenshot(screenshot)
        print(filters(driver, wait, state(port, url)))
        print(code_words(driver, wait, state(port, url), port, url))
        print("ok:", progress)
    finally:
        if driver is not None:
            driver.quit()
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()
