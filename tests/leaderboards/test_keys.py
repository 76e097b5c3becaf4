"""Board keys and Redis Cluster slots: what one script call touches shares a slot."""

import importlib

from leaderboards.boards import parse_storage_key, storage_key
from leaderboards.stores import slot_tag

migration = importlib.import_module("leaderboards.migrations.0003_hash_tagged_keys")


def test_people_boards_of_one_period_share_a_slot_and_unit_boards_another():
    people = {
        slot_tag(storage_key(1, scope, "people", "w202647")) for scope in (1, 2, 3)
    }
    units = {
        slot_tag(storage_key(1, scope, entity, "w202647"))
        for scope in (1, 2)
        for entity in ("village", "commune")
    }
    assert len(people) == 1 and len(units) == 1
    assert people != units
    # Other periods and competitions go elsewhere, to spread over the shards.
    assert slot_tag(storage_key(1, 1, "people", "all")) not in people
    assert slot_tag(storage_key(2, 1, "people", "w202647")) not in people


def test_keys_parse_back():
    key = storage_key(4, 17, "village", "m202610")
    assert parse_storage_key(key) == (4, 17, "village", "m202610")


def test_the_migration_renames_old_keys_to_what_the_store_now_uses():
    assert migration.new_key("lb:1:3:village:w202647") == storage_key(
        1, 3, "village", "w202647"
    )
    assert migration.new_key("lb:1:3:people:all") == storage_key(1, 3, "people", "all")
    for key in ("lb:1:3:village:w202647", "lb:1:3:people:all"):
        assert migration.old_key(migration.new_key(key)) == key
