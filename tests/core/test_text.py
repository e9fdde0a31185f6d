from docflow.core.ids import uuid7
from docflow.core.text import fold, slugify_vi


def test_fold_ignores_diacritics_and_case():
    assert fold("Điện Biên") == "dien bien"
    assert fold("QUYẾT ĐỊNH  số") == "quyet dinh so"
    assert fold("Hỏa tốc") == fold("hoa toc")


def test_slug_drops_accents_and_spaces():
    assert slugify_vi("Phiêng Ban") == "phiengban"
    assert slugify_vi("Thị trấn Bắc Yên") == "thitranbacyen"


def test_uuid7_is_time_ordered():
    ids = [uuid7() for _ in range(50)]
    assert all(u.version == 7 for u in ids)
    assert [u.int >> 80 for u in ids] == sorted(u.int >> 80 for u in ids)
