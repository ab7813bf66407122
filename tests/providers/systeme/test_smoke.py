from tests.support import ApiClient


def test_create_then_get(systeme: ApiClient) -> None:
    created = systeme.post("/api/contacts", json={"email": "ann@gmail.com"})
    assert created.status_code == 201
    fetched = systeme.get(f"/api/contacts/{created.json()['id']}")
    assert fetched.json() == created.json()
