"""The seed loaded once for a module's consecutive tests (tests/shared_seed.py) gives each test
what `loaddata` gave it, and no test that did not ask for it sees it.

The tests run in file order (pytest-xdist's `--dist loadfile` keeps a module on one worker, in
order), so that the later ones see what the earlier ones left behind, if anything.
"""

import json
from pathlib import Path

import pytest
from django.conf import settings

from actions.models import Action, Objective, Programme, Update
from tests.conftest import SEED_SLUG, SHARED_SEED
from tests.shared_seed import SEED_FIXTURE

SEED = json.loads((Path(settings.FIXTURE_DIRS[0]) / f"{SEED_FIXTURE}.json").read_text())


def seed_pks(label):
    return sorted(row["pk"] for row in SEED if row["model"] == label)


def test_a_test_changes_and_deletes_the_seed(request, seed_programme):
    assert SHARED_SEED.holds(request.node)
    Action.objects.all().delete()
    seed_programme.name = "Changed by a test"
    seed_programme.save()


def test_the_next_test_sees_the_seed_as_loaded_with_its_primary_keys(request, seed_programme):
    assert SHARED_SEED.holds(request.node), "shared with the test before"
    assert seed_programme.name == "Care Programme 2024-25"
    assert sorted(Action.objects.values_list("pk", flat=True)) == seed_pks("actions.action")
    assert sorted(Update.objects.values_list("pk", flat=True)) == seed_pks("actions.update")


def new_objective(programme):
    return Objective.objects.create(
        programme=programme, position=99, title="Added by a test", statement="A new one"
    )


def test_a_new_row_takes_the_id_after_the_seeds_largest_as_after_loaddata(request, seed_programme):
    """On SQLite the rollback restores the next id; PostgreSQL's sequences are reset."""
    assert SHARED_SEED.holds(request.node)
    assert new_objective(seed_programme).pk == max(seed_pks("actions.objective")) + 1


def test_so_does_the_next_tests_whatever_the_test_before_took(request, seed_programme):
    assert SHARED_SEED.holds(request.node)
    assert new_objective(seed_programme).pk == max(seed_pks("actions.objective")) + 1


def test_a_test_that_does_not_ask_for_the_seed_sees_an_empty_database(db):
    assert not Programme.objects.exists()
    assert not Action.objects.exists()


def test_after_it_the_seed_is_loaded_again(request, seed_programme):
    assert SHARED_SEED.holds(request.node)
    assert Action.objects.count() == len(seed_pks("actions.action"))


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_loads_the_seed_itself_committed(request, seed_programme):
    assert not SHARED_SEED.holds(request.node)
    assert Programme.objects.get(slug=SEED_SLUG) == seed_programme
    assert Action.objects.count() == len(seed_pks("actions.action"))


def test_a_test_after_a_transactional_one_sees_the_seed_as_loaded(request, seed_programme):
    assert SHARED_SEED.holds(request.node)
    assert Action.objects.count() == len(seed_pks("actions.action"))


def test_the_shared_seed_is_only_for_tests_that_can_share_it(request):
    from tests.shared_seed import can_share

    tests = {item.name: item for item in request.session.items}
    assert can_share(tests["test_after_it_the_seed_is_loaded_again"])
    assert not can_share(tests["test_a_transactional_test_loads_the_seed_itself_committed"])
    assert not can_share(tests["test_a_test_that_does_not_ask_for_the_seed_sees_an_empty_database"])
