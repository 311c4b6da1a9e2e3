import pytest

from apps.catalog.models import Category

pytestmark = pytest.mark.django_db
URL = "/api/v1/catalog/categories/"


def test_staff_builds_a_tree_and_anyone_reads_it(staff_client, api_client):
    created = staff_client.post(URL, {"name": "Home & Garden"}, format="json")
    child = staff_client.post(
        URL, {"name": "Lamps", "parent": "home-garden"}, format="json"
    )

    assert created.status_code == 201
    assert child.status_code == 201
    assert child.json()["parent"] == "home-garden"
    listing = api_client.get(URL).json()["results"]
    assert [(c["slug"], c["parent"]) for c in listing] == [
        ("home-garden", None),
        ("lamps", "home-garden"),
    ]
    assert api_client.get(f"{URL}lamps/").json()["name"] == "Lamps"
    assert api_client.get(f"{URL}nope/").status_code == 404


def test_duplicate_slug_and_unknown_parent_are_field_errors(staff_client):
    staff_client.post(URL, {"name": "Books"}, format="json")

    duplicate = staff_client.post(URL, {"name": "Books"}, format="json")
    orphan = staff_client.post(URL, {"name": "X", "parent": "ghost"}, format="json")

    assert duplicate.status_code == 400
    assert duplicate.json()["errors"] == {
        "name": ["A category with this name already exists there."],
        "slug": ["A category with this slug already exists."],
    }
    assert orphan.status_code == 400
    assert orphan.json()["errors"] == {
        "parent": ["Object with slug=ghost does not exist."]
    }
    assert list(Category.objects.values_list("slug", flat=True)) == ["books"]


def test_category_in_use_cannot_be_deleted(staff_client, make_category, make_product):
    books = make_category("Books")
    make_product(category=books)
    empty = make_category("Empty")

    response = staff_client.delete(f"{URL}books/")

    assert response.status_code == 409
    assert response.json()["code"] == "category_in_use"
    assert staff_client.delete(f"{URL}empty/").status_code == 204
    assert list(Category.objects.values_list("pk", flat=True)) == [books.pk]
    assert not Category.objects.filter(pk=empty.pk).exists()


def test_customer_cannot_write_categories(customer_client):
    response = customer_client.post(URL, {"name": "Nope"}, format="json")

    assert response.status_code == 403
    assert Category.objects.count() == 0


def test_staff_renames_and_moves_a_category(staff_client, make_category):
    root = make_category("Root")
    make_category("Leaf")

    response = staff_client.patch(
        f"{URL}leaf/", {"name": "Leaf 2", "parent": "root"}, format="json"
    )
    loop = staff_client.patch(f"{URL}root/", {"parent": "leaf"}, format="json")

    assert response.status_code == 200
    assert response.json() == {
        "id": Category.objects.get(slug="leaf").pk,
        "name": "Leaf 2",
        "slug": "leaf",
        "parent": "root",
    }
    assert loop.status_code == 400
    assert loop.json()["errors"] == {
        "parent": ["A category cannot be placed below itself."]
    }
    root.refresh_from_db()
    assert root.parent_id is None


@pytest.mark.parametrize("parent", [None, "audio"])
def test_category_names_are_unique_within_their_parent(
    staff_client, make_category, parent
):
    make_category("Audio")
    url = "/api/v1/catalog/categories/"
    body = {"name": "Speakers", "parent": parent}
    first = staff_client.post(url, body, format="json")

    again = staff_client.post(url, {**body, "name": "SPEAKERS"}, format="json")

    assert first.status_code == 201
    assert again.status_code == 400
    assert "already exists" in again.json()["errors"]["name"][0]


def test_one_name_may_appear_under_two_parents(staff_client, make_category):
    audio, video = make_category("Audio"), make_category("Video")
    url = "/api/v1/catalog/categories/"

    for parent in (audio, video):
        body = {
            "name": "Cables",
            "parent": parent.slug,
            "slug": f"{parent.slug}-cables",
        }
        assert staff_client.post(url, body, format="json").status_code == 201
