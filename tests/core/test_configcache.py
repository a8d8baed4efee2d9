"""The configuration cache: reused while the generation holds, recomputed after any change to a watched row."""

import pytest

from gongdan.core import configcache
from gongdan.core.models import ConfigGeneration
from gongdan.tickets.models import Category, DeskPolicy

pytestmark = pytest.mark.django_db


def _category_codes() -> list[str]:
    return sorted(Category.objects.values_list("code", flat=True))


def test_a_cached_value_is_reused_until_a_watched_row_changes(django_assert_num_queries):
    first = configcache.cached("codes", _category_codes)
    with django_assert_num_queries(1):  # the generation token only
        assert configcache.cached("codes", _category_codes) == first
    Category.objects.create(code="zz-new", name_zh="新", name_en="New")
    assert configcache.cached("codes", _category_codes) == sorted([*first, "zz-new"])


def test_deleting_and_editing_bump_the_generation():
    category = Category.objects.create(code="zz-edit", name_zh="改", name_en="Edit")
    before = ConfigGeneration.objects.get(pk=1).token
    category.name_en = "Edited"
    category.save()
    edited = ConfigGeneration.objects.get(pk=1).token
    category.delete()
    assert len({before, edited, ConfigGeneration.objects.get(pk=1).token}) == 3


def test_unwatched_rows_leave_the_generation_alone(customer):
    before = ConfigGeneration.objects.get(pk=1).token
    customer.name = "Renamed"
    customer.save()
    assert ConfigGeneration.objects.get(pk=1).token == before


def test_a_scope_reads_the_token_once_and_sees_its_own_change(django_assert_num_queries):
    configcache.cached("policy", DeskPolicy.current)
    with configcache.scope():
        with django_assert_num_queries(1):
            configcache.cached("policy", DeskPolicy.current)
            configcache.cached("policy", DeskPolicy.current)
        policy = DeskPolicy.current()
        policy.auto_close_days = 11
        policy.save()
        assert configcache.cached("policy", DeskPolicy.current).auto_close_days == 11


def test_a_rolled_back_change_restores_the_earlier_values():
    from django.db import transaction

    configcache.cached("codes", _category_codes)
    try:
        with transaction.atomic():
            Category.objects.create(code="zz-gone", name_zh="无", name_en="Gone")
            assert "zz-gone" in configcache.cached("codes", _category_codes)
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    assert "zz-gone" not in configcache.cached("codes", _category_codes)
