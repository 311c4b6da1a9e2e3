"""The bench's data set (bench/data.py): what each product is loaded with."""

from bench.data import expected_shape, image_count, product_payload, variant_payloads
from bench.scenarios import SEARCHES


def test_one_product_in_ten_comes_in_three_to_six_size_and_colour_variants():
    counts = {
        n: len(variant_payloads(n, product_payload(n, "c"))) for n in range(0, 80)
    }

    assert {n for n, count in counts.items() if count} == set(range(0, 80, 10))
    assert [counts[n] for n in range(0, 80, 10)] == [3, 4, 5, 6, 3, 4, 5, 6]


def test_a_products_variants_differ_in_options_and_the_first_is_the_product_itself():
    payload = product_payload(30, "c")

    variants = variant_payloads(30, payload)

    assert variants[0]["sku"] == payload["sku"] == "BENCH-00030"
    assert [v["sku"] for v in variants[1:]] == [
        "BENCH-00030-M",
        "BENCH-00030-L",
        "BENCH-00030-S-W",
        "BENCH-00030-M-W",
        "BENCH-00030-L-W",
    ]
    options = [tuple(sorted(v["options"].items())) for v in variants]
    assert len(set(options)) == 6
    assert {v["options"]["colour"] for v in variants} == {
        payload["name"].rsplit(" ", 1)[1],
        "white",
    }


def test_every_product_has_one_or_two_images_and_its_shape_says_so():
    assert [image_count(n) for n in range(4)] == [1, 2, 1, 2]
    assert expected_shape(1) == (1, 2)
    assert expected_shape(10) == (4, 1)


def test_the_searched_variant_skus_exist_in_the_data_set():
    variant_skus = {
        v["sku"]
        for n in range(0, 1000, 10)
        for v in variant_payloads(n, product_payload(n, "c"))
    }
    searched = [q for q in SEARCHES if q.startswith("BENCH-") and q.count("-") > 1]

    assert searched
    assert set(searched) <= variant_skus
