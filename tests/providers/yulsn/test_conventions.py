"""ASP.NET Web API conventions the vendor's client relies on: paths and query names in any
case, a trailing slash, bodies in any case, the SEARCH method, and `{"Message"}` errors."""

from __future__ import annotations

import requests

from mockserver.testing import Account, ApiSession, Emulator
from tests.support import STRICT_SETTINGS


def test_paths_and_query_names_match_in_any_case(yulsn: ApiSession) -> None:
    created = yulsn.post("/api/v1/Contacts", json={"Email": "case@example.dk"}).json()
    for path in ("/api/v1/Contacts", "/api/v1/contacts", "/API/V1/CONTACTS", "/api/v1/Contacts/"):
        response = yulsn.get(path, params={"EMAIL": "case@example.dk"})
        assert response.status_code == 200, path
        assert response.json()["Id"] == created["Id"]
    assert yulsn.get(f"/api/v1/CONTACTS/{created['Id']}/").json()["Id"] == created["Id"]


def test_the_gateway_and_the_native_root_serve_the_same_api() -> None:
    with Emulator.start(**STRICT_SETTINGS, native="yulsn") as emulator:
        native = ApiSession(emulator.url, {"X-ApiKey": "k"})
        gateway = ApiSession(f"{emulator.url}/yulsn", {"X-ApiKey": "k"})
        created = native.post("/api/v1/contacts", json={"email": "root@example.dk"}).json()
        assert gateway.get(f"/api/v1/Contacts/{created['Id']}").json() == created
        assert emulator.admin("GET", "health") == {"status": "ok"}, "the admin API is untouched"


def test_a_missing_or_unknown_key_is_401_with_the_web_api_message(mockserver: Emulator) -> None:
    anonymous = ApiSession(f"{mockserver.url}/yulsn", {})
    response = anonymous.get("/api/v1/Contacts")
    assert response.status_code == 401
    assert response.json() == {"Message": "Authorization has been denied for this request."}


def test_unknown_route_and_wrong_method_answer_like_web_api(yulsn: ApiSession) -> None:
    missing = yulsn.get("/api/v1/NoSuchThing")
    assert missing.status_code == 404
    assert missing.json() == {
        "Message": "No HTTP resource was found that matches the request URI 'https://api.yulsn.com/api/v1/NoSuchThing'."
    }
    wrong = yulsn.put("/api/v1/Contacts/PatchFields", json={})
    assert wrong.status_code == 405
    assert wrong.json() == {"Message": "The requested resource does not support http method 'PUT'."}
    assert "GET" in wrong.headers["Allow"]


def test_bad_bodies_answer_the_model_state(yulsn: ApiSession) -> None:
    broken = yulsn.post("/api/v1/Contacts", data="{oops", headers={"Content-Type": "application/json"})
    assert broken.status_code == 400
    assert broken.json()["Message"] == "The request is invalid."
    assert "ModelState" in broken.json()
    typed = yulsn.post("/api/v1/Contacts", json={"Email": 5})
    assert typed.status_code == 400
    assert "Email" in typed.json()["ModelState"]
    text = yulsn.post("/api/v1/Contacts", data="x", headers={"Content-Type": "text/plain"})
    assert text.status_code == 415
    assert text.json() == {"Message": "The request entity's media type 'text/plain' is not supported for this resource."}


def test_booleans_in_queries_may_be_written_as_dotnet_writes_them(yulsn: ApiSession) -> None:
    # An unknown contact with ignoreUnknownContacts=True is skipped rather than refused.
    response = yulsn.post("/api/v1/ContactEvents?ignoreUnknownContacts=True", json=[{"ContactId": 999, "Type": "PageView"}])
    assert response.status_code == 200, response.text
    assert response.json() == []


def test_search_is_a_method_of_its_own(yulsn: ApiSession) -> None:
    """SEARCH is routed like any method: an unknown table is 404, not 405."""
    response = yulsn.request("SEARCH", "/api/v1/table/NoSuchTable", json={"Fields": []})
    assert response.status_code == 404
    assert "Message" in response.json()
    wrong = yulsn.request("SEARCH", "/api/v1/Contacts", json=[])
    assert wrong.status_code == 405
    put = yulsn.put("/api/v1/Orders", json={})
    assert put.status_code == 405
    assert set(put.headers["Allow"].split(", ")) == {"GET", "HEAD", "POST", "SEARCH"}, "SEARCH is advertised like any method"


def test_responses_are_pascal_case_json(yulsn: ApiSession) -> None:
    response = yulsn.post("/api/v1/Contacts", json={"email": "p@example.dk"})
    assert response.headers["Content-Type"].startswith("application/json")
    assert all(key[0].isupper() for key in response.json())


def test_requests_without_a_user_agent_are_served(account: Account) -> None:
    from urllib3.util import SKIP_HEADER

    session = requests.Session()
    session.trust_env = False
    response = session.get(
        f"{account.base_url}/api/v1/Contacts", headers={"X-ApiKey": account.api_key, "User-Agent": SKIP_HEADER}, timeout=10
    )
    assert response.status_code == 200
