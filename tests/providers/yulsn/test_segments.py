"""Yulsn segments: list segments made from contact ids (Type 3), look-ups by folder and id,
contact ids and base info, and counts of distinct contacts across segments (ids in the
query as `s[0]=..&s[1]=..` or repeated `s`, or in a JSON body)."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.testing import ApiSession
from tests.providers.yulsn.helpers import contact

BASE_INFO_FIELDS = {"Id", "Secret", "Email", "Phone", "FirstName", "LastName"}


def make_segment(
    client: ApiSession, contact_ids: list[int], name: str = "VIP", folder_id: int | None = 1, **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {"Name": name, "ContactIds": contact_ids, **extra}
    if folder_id is not None:
        body["FolderId"] = folder_id
    response = client.post("/api/v1/Segments/ContactIds", json=body)
    assert response.status_code == 200, response.text
    segment: dict[str, Any] = response.json()
    return segment


def test_a_new_account_has_no_segments(yulsn: ApiSession) -> None:
    for folder_id in (0, 1):
        response = yulsn.get("/api/v1/Segments", params={"folderId": folder_id})
        assert response.status_code == 200
        assert response.json() == []


def test_a_segment_from_contact_ids_is_a_list_segment(yulsn: ApiSession) -> None:
    ids = [contact(yulsn, "a@example.dk"), contact(yulsn, "b@example.dk")]
    segment = make_segment(yulsn, ids, name="Friends", folder_id=7, Description="Close friends")
    assert segment["Type"] == 3, "a segment made from contact ids is a List (3)"
    assert (segment["Name"], segment["FolderId"], segment["Description"]) == ("Friends", 7, "Close friends")
    assert yulsn.get(f"/api/v1/Segments/{segment['Id']}").json() == segment
    assert yulsn.get(f"/api/v1/Segments/{segment['Id']}/GetContactIds").json() == ids


def test_camel_case_bodies_are_read(yulsn: ApiSession) -> None:
    contact_id = contact(yulsn, "c@example.dk")
    response = yulsn.post("/api/v1/Segments/ContactIds", json={"name": "Camel", "folderId": 2, "contactIds": [contact_id]})
    assert response.status_code == 200, response.text
    segment = response.json()
    assert (segment["Name"], segment["FolderId"], segment["Type"]) == ("Camel", 2, 3)
    assert yulsn.get(f"/api/v1/Segments/{segment['Id']}/GetContactIds").json() == [contact_id]


def test_without_a_folder_the_segment_is_in_folder_0(yulsn: ApiSession) -> None:
    segment = make_segment(yulsn, [contact(yulsn, "d@example.dk")], folder_id=None)
    assert segment["FolderId"] == 0
    assert [s["Id"] for s in yulsn.get("/api/v1/Segments", params={"folderId": 0}).json()] == [segment["Id"]]


def test_segments_are_listed_by_folder(yulsn: ApiSession) -> None:
    contact_id = contact(yulsn, "e@example.dk")
    first = make_segment(yulsn, [contact_id], name="One", folder_id=1)
    second = make_segment(yulsn, [contact_id], name="Two", folder_id=1)
    other = make_segment(yulsn, [contact_id], name="Three", folder_id=2)
    assert yulsn.get("/api/v1/Segments", params={"folderId": 1}).json() == [first, second]
    assert yulsn.get("/api/v1/Segments", params={"folderId": 2}).json() == [other]
    assert yulsn.get("/api/v1/Segments", params={"folderId": 3}).json() == []


def test_the_folder_is_required_to_list(yulsn: ApiSession) -> None:
    response = yulsn.get("/api/v1/Segments")
    assert response.status_code == 400
    assert "Message" in response.json()


def test_repeated_contact_ids_count_once(yulsn: ApiSession) -> None:
    a, b = contact(yulsn, "f@example.dk"), contact(yulsn, "g@example.dk")
    segment = make_segment(yulsn, [a, b, a, b, a])
    assert yulsn.get(f"/api/v1/Segments/{segment['Id']}/GetContactIds").json() == [a, b]


def test_unknown_contact_ids_are_400_naming_them_and_nothing_is_made(yulsn: ApiSession) -> None:
    known = contact(yulsn, "h@example.dk")
    response = yulsn.post("/api/v1/Segments/ContactIds", json={"Name": "Bad", "FolderId": 1, "ContactIds": [known, 9991, 9992]})
    assert response.status_code == 400
    message = response.json()["Message"]
    assert "9991" in message and "9992" in message
    assert str(known) not in message.replace("9991", "").replace("9992", "")
    assert yulsn.get("/api/v1/Segments", params={"folderId": 1}).json() == []


@pytest.mark.parametrize(
    "body", [{"FolderId": 1, "ContactIds": []}, {"Name": "No ids", "FolderId": 1}, {"Name": "", "ContactIds": []}]
)
def test_a_segment_needs_a_name_and_contact_ids(yulsn: ApiSession, body: dict[str, Any]) -> None:
    response = yulsn.post("/api/v1/Segments/ContactIds", json=body)
    assert response.status_code == 400
    assert "Message" in response.json()


def test_an_unknown_segment_is_404(yulsn: ApiSession) -> None:
    for path in ("/api/v1/Segments/999", "/api/v1/Segments/999/GetContactIds", "/api/v1/Segments/999/GetContactsBaseInfo"):
        response = yulsn.get(path)
        assert response.status_code == 404, path
        assert "Message" in response.json()


def test_base_info_of_the_segment_contacts(yulsn: ApiSession) -> None:
    a = contact(yulsn, "i@example.dk", FirstName="Ida", LastName="Holm", Phone="+4560000001")
    b = contact(yulsn, "j@example.dk", FirstName="Jens")
    contact(yulsn, "k@example.dk", FirstName="Not in the segment")
    segment = make_segment(yulsn, [a, b])
    infos = yulsn.get(f"/api/v1/Segments/{segment['Id']}/GetContactsBaseInfo").json()
    assert [info["Id"] for info in infos] == [a, b]
    assert all(set(info) == BASE_INFO_FIELDS for info in infos)
    full = yulsn.get(f"/api/v1/Contacts/{a}").json()
    assert infos[0] == {name: full[name] for name in BASE_INFO_FIELDS}
    assert (infos[0]["FirstName"], infos[0]["LastName"], infos[0]["Phone"]) == ("Ida", "Holm", "+4560000001")


def overlapping(client: ApiSession) -> tuple[int, int, int]:
    """Three segments: {a, b}, {b, c} and {d}."""
    a, b, c, d = (contact(client, f"{name}@example.dk") for name in "abcd")
    return make_segment(client, [a, b])["Id"], make_segment(client, [b, c])["Id"], make_segment(client, [d])["Id"]


def test_count_with_indexed_ids_counts_distinct_contacts(yulsn: ApiSession) -> None:
    first, second, third = overlapping(yulsn)
    response = yulsn.get(f"/api/v1/Segments/GetContactCount?s[0]={first}&s[1]={second}")
    assert response.status_code == 200
    assert response.json() == 3, "b is in both segments and counts once"
    assert yulsn.get(f"/api/v1/Segments/GetContactCount?s[0]={first}&s[1]={second}&s[2]={third}").json() == 4
    assert yulsn.get(f"/api/v1/Segments/GetContactCount?s[0]={third}").json() == 1


def test_count_with_repeated_ids(yulsn: ApiSession) -> None:
    first, second, _ = overlapping(yulsn)
    assert yulsn.get("/api/v1/Segments/GetContactCount", params=[("s", first), ("s", second)]).json() == 3
    assert yulsn.get("/api/v1/Segments/GetContactCount", params={"s": first}).json() == 2


def test_count_reads_query_names_without_regard_to_case(yulsn: ApiSession) -> None:
    first, second, _ = overlapping(yulsn)
    assert yulsn.get(f"/api/v1/segments/getcontactcount?S[0]={first}&S[1]={second}").json() == 3


def test_count_from_a_body(yulsn: ApiSession) -> None:
    first, second, third = overlapping(yulsn)
    response = yulsn.post("/api/v1/Segments/GetContactCount", json=[first, second, third])
    assert response.status_code == 200
    assert response.json() == 4
    assert yulsn.post("/api/v1/Segments/GetContactCount", json=[second, second]).json() == 2
    assert yulsn.post("/api/v1/Segments/GetContactCount", json=[]).json() == 0


def test_count_of_no_segments_is_zero(yulsn: ApiSession) -> None:
    assert yulsn.get("/api/v1/Segments/GetContactCount").json() == 0


def test_count_with_an_unknown_segment_is_404(yulsn: ApiSession) -> None:
    first, _, _ = overlapping(yulsn)
    response = yulsn.get(f"/api/v1/Segments/GetContactCount?s[0]={first}&s[1]=999")
    assert response.status_code == 404
    assert "999" in response.json()["Message"]
    assert yulsn.get("/api/v1/Segments/GetContactCount", params={"s": 999}).status_code == 404
    assert yulsn.post("/api/v1/Segments/GetContactCount", json=[first, 999]).status_code == 404


@pytest.mark.parametrize("query", ["s[0]=abc", "s[0]=0", "s=abc"])
def test_count_with_an_id_that_is_no_number_is_400(yulsn: ApiSession, query: str) -> None:
    response = yulsn.get(f"/api/v1/Segments/GetContactCount?{query}")
    assert response.status_code == 400
    assert "Message" in response.json()


def test_count_from_a_body_that_is_not_an_array_is_400(yulsn: ApiSession) -> None:
    assert yulsn.post("/api/v1/Segments/GetContactCount", json={"s": [1]}).status_code == 400


def test_a_deleted_contact_leaves_its_segments(yulsn: ApiSession) -> None:
    a, b = contact(yulsn, "l@example.dk"), contact(yulsn, "m@example.dk")
    segment = make_segment(yulsn, [a, b])
    assert yulsn.delete(f"/api/v1/Contacts/{a}").status_code == 200
    assert yulsn.get(f"/api/v1/Segments/{segment['Id']}/GetContactIds").json() == [b]
    assert [i["Id"] for i in yulsn.get(f"/api/v1/Segments/{segment['Id']}/GetContactsBaseInfo").json()] == [b]
    assert yulsn.post("/api/v1/Segments/GetContactCount", json=[segment["Id"]]).json() == 1


def test_segments_of_another_account_are_not_seen(yulsn: ApiSession, yulsn_demo: ApiSession) -> None:
    demo_segment = yulsn_demo.get("/api/v1/Segments", params={"folderId": 1}).json()[0]
    response = yulsn.get(f"/api/v1/Segments/{demo_segment['Id']}")
    assert response.status_code == 404
    assert response.json() == {"Message": f"Segment with id {demo_segment['Id']} not found."}


def test_the_demo_has_segments_of_demo_contacts_in_two_folders(yulsn_demo: ApiSession) -> None:
    segments = [s for folder in (1, 2) for s in yulsn_demo.get("/api/v1/Segments", params={"folderId": folder}).json()]
    assert 3 <= len(segments) <= 4
    assert {s["FolderId"] for s in segments} == {1, 2}
    assert {s["Type"] for s in segments} <= {1, 2, 3, 4}
    contact_ids = set(yulsn_demo.get("/api/v1/Contacts").json())
    everyone: set[int] = set()
    for segment in segments:
        ids = yulsn_demo.get(f"/api/v1/Segments/{segment['Id']}/GetContactIds").json()
        assert ids, f"segment {segment['Name']} holds contacts"
        assert set(ids) <= contact_ids
        infos = yulsn_demo.get(f"/api/v1/Segments/{segment['Id']}/GetContactsBaseInfo").json()
        assert [i["Id"] for i in infos] == ids
        everyone |= set(ids)
    all_ids = [s["Id"] for s in segments]
    assert yulsn_demo.post("/api/v1/Segments/GetContactCount", json=all_ids).json() == len(everyone)
