"""The dashboard (/__dashboard/) in a real browser: what the API and the vendor's side do
shows in an account's page live (no reload), and a failed delivery is sent again from it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement

from mockserver.testing import Account, Emulator, WebhookReceiver
from tests.browser.harness import screenshot, wait_for
from tests.support import STRICT_SETTINGS

# Systeme.io's six attempts of a failing delivery (60 s to 6 h apart) in about a third of a second.
FAST = {**STRICT_SETTINGS, "webhook_time_scale": 0.00001}
ATTEMPTS = 6
SECRET = "s3cr3t-secret"


@pytest.fixture(scope="module")
def server() -> Iterator[Emulator]:
    with Emulator.start(**FAST) as running:
        yield running


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as made:
        yield made


def css(browser: WebDriver, selector: str) -> list[WebElement]:
    return browser.find_elements(By.CSS_SELECTOR, selector)


def open_account(browser: WebDriver, server: Emulator, account: Account) -> None:
    """From the list of accounts to the account's page (its URL names it by a reference,
    never by its key), marked so that a reload would show."""
    browser.get(f"{server.url}/__dashboard/")
    hint = "…" + account.api_key[-4:]

    def row(b: WebDriver) -> WebElement | None:
        found = [tr for tr in css(b, f'#accounts tr[data-account^="{account.provider}:"]') if hint in tr.text]
        return found[0] if found else None

    wait_for(browser, row, message=f"no row for the account {hint}").find_element(By.TAG_NAME, "a").click()
    wait_for(browser, lambda b: css(b, "#deliveries") and b.execute_script("return document.readyState") == "complete")
    assert account.api_key not in browser.current_url and account.api_key not in browser.page_source
    browser.execute_script("window.notReloaded = true;")


def not_reloaded(browser: WebDriver) -> None:
    assert browser.execute_script("return window.notReloaded === true;"), "the page was reloaded"


def subscribe(account: Account, url: str, event: str) -> None:
    hook = {"name": "hook", "url": url, "secret": SECRET, "subscriptions": [event]}
    with account.session() as api:
        assert api.post("/api/webhooks", json=hook).status_code == 201


def test_a_contact_made_through_the_api_shows_in_requests_and_records(server: Emulator, browser: WebDriver) -> None:
    account = server.account("systeme")
    open_account(browser, server, account)
    with account.session() as api:
        created = api.post("/api/contacts", json={"email": "ada@gmail.com"})
    assert created.status_code == 201
    request = wait_for(browser, lambda b: css(b, '#requests li[data-method="POST"][data-status="201"]'), message="no request")
    assert "/api/contacts" in request[0].text
    row = wait_for(browser, lambda b: css(b, f'#records tr[data-record-id="{created.json()["id"]}"]'), message="no record")
    assert "ada@gmail.com" in row[0].text
    not_reloaded(browser)
    screenshot(browser, "dashboard")


def test_a_sale_from_the_actions_form_shows_its_delivery(server: Emulator, browser: WebDriver, receiver: WebhookReceiver) -> None:
    account = server.account("systeme")
    subscribe(account, receiver.url, "SALE_NEW")
    open_account(browser, server, account)
    forms = [
        f
        for f in css(browser, "form[data-action]")
        if f.get_attribute("data-action") in ("POST sales", "POST /__admin/systeme/sales")
    ]
    assert len(forms) == 1, "no sales form"
    form = forms[0]
    form.find_element(By.NAME, "email").send_keys("buyer@gmail.com")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    result = wait_for(browser, lambda b: css(b, "#action-result[data-status]"), message="no action result")[0]
    assert result.get_attribute("data-status") == "201" and "buyer@gmail.com" in result.text

    received = receiver.wait(1)[0]
    message_id = received.headers["X-Webhook-Message-Id"]
    delivery = wait_for(browser, lambda b: css(b, f'#deliveries li[data-message-id="{message_id}"]'), message="no delivery")[0]
    assert (delivery.get_attribute("data-attempt"), delivery.get_attribute("data-ok")) == ("1", "true")
    assert "SALE_NEW" in delivery.text
    not_reloaded(browser)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", delivery)
    screenshot(browser, "dashboard-sale")


def test_a_failed_message_is_redelivered_from_the_page(server: Emulator, browser: WebDriver, receiver: WebhookReceiver) -> None:
    account = server.account("systeme")
    receiver.respond_with(500)  # every attempt fails, until told otherwise
    subscribe(account, receiver.url, "CONTACT_CREATED")
    open_account(browser, server, account)
    with account.session() as api:
        assert api.post("/api/contacts", json={"email": "bob@gmail.com"}).status_code == 201
    failed = wait_for(browser, lambda b: len(css(b, '#deliveries li[data-ok="false"]')) == ATTEMPTS, message="no failures")
    assert failed
    message_id = css(browser, "#deliveries li[data-message-id]")[0].get_attribute("data-message-id")
    assert account.wait_for_idle()

    receiver.respond_with(200)
    css(browser, f'button[data-redeliver="{message_id}"]')[0].click()
    again = f'#deliveries li[data-message-id="{message_id}"][data-attempt="{ATTEMPTS + 1}"]'
    item = wait_for(browser, lambda b: css(b, again), message="no new attempt")[0]
    assert item.get_attribute("data-ok") == "true"
    assert receiver.requests[-1].headers["X-Webhook-Message-Id"] == message_id
    not_reloaded(browser)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", item)
    screenshot(browser, "dashboard-redeliver")


def test_the_pages_fit_a_phone_width_and_keep_working(server: Emulator, browser: WebDriver) -> None:
    account = server.account("systeme")
    with account.session() as api:
        assert api.post("/api/contacts", json={"email": "phone@gmail.com"}).status_code == 201
    browser.set_window_size(390, 844)
    try:
        browser.get(f"{server.url}/__dashboard/")
        wait_for(browser, lambda b: css(b, "#accounts"))
        open_account(browser, server, account)
        for _ in ("accounts", "account"):
            overflow = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth;")
            assert overflow <= 1, f"the page is {overflow} px wider than a phone's screen"
            browser.get(f"{server.url}/__dashboard/")
        screenshot(browser, "dashboard-phone")
    finally:
        browser.set_window_size(1280, 900)


def test_the_keyboard_reaches_and_follows_the_links(server: Emulator, browser: WebDriver) -> None:
    account = server.account("systeme")
    browser.get(f"{server.url}/__dashboard/")
    wait_for(browser, lambda b: css(b, "#accounts"))
    hint = "…" + account.api_key[-4:]
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    for _ in range(400):  # Tab through the page until the account's link has the focus
        focused = browser.switch_to.active_element
        row = browser.execute_script("const e = document.activeElement; return e.closest('tr') ? e.closest('tr').innerText : '';")
        if focused.tag_name == "a" and hint in row:
            break
        focused.send_keys(Keys.TAB)
    else:
        pytest.fail(f"Tab never reached the link of the account {hint}")
    outline = browser.execute_script("return getComputedStyle(document.activeElement).outlineStyle;")
    assert outline != "none", "the focused link shows no focus"
    focused.send_keys(Keys.ENTER)
    wait_for(browser, lambda b: css(b, "#deliveries"), message="Enter did not open the account")
    assert "/__dashboard/accounts/systeme/" in browser.current_url
