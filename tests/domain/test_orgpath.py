import pytest

from examapp.domain import orgpath
from examapp.errors import ValidationError


def test_child_path_and_depth():
    assert orgpath.child_path(None, 1) == "/1/"
    assert orgpath.child_path("/1/4/", 9) == "/1/4/9/"
    assert orgpath.depth_of("/1/") == 0
    assert orgpath.depth_of("/1/4/9/") == 2
    assert orgpath.ids_of("/1/4/9/") == [1, 4, 9]


def test_within_does_not_confuse_prefix_ids():
    assert orgpath.is_within("/1/4/9/", "/1/4/")
    assert orgpath.is_within("/1/4/", "/1/4/")
    assert not orgpath.is_within("/1/44/", "/1/4/")  # the trailing slash keeps 44 out of 4's subtree


def test_moving_under_itself_or_a_descendant_is_refused():
    with pytest.raises(ValidationError):
        orgpath.check_move("/1/4/", "/1/4/9/")
    with pytest.raises(ValidationError):
        orgpath.check_move("/1/4/", "/1/4/")
    orgpath.check_move("/1/4/", "/1/5/")


def test_rebase():
    assert orgpath.rebase("/1/4/9/12/", "/1/4/9/", "/1/5/9/") == "/1/5/9/12/"
    with pytest.raises(ValueError):
        orgpath.rebase("/1/5/", "/1/4/", "/2/")
