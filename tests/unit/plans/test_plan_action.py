from mlform.plans.action import Action, ActionReason


def test_symbols() -> None:
    assert [a.symbol for a in Action] == [" ", "+", "~", "-/+", "+/-", "-"]


def test_json_actions_match_terraform() -> None:
    assert Action.DELETE_THEN_CREATE.json_actions == ["delete", "create"]
    assert Action.CREATE_THEN_DELETE.json_actions == ["create", "delete"]
    assert Action.NO_OP.json_actions == ["no-op"]


def test_reason_json_names() -> None:
    assert ActionReason.NONE.json_name is None
    assert ActionReason.REPLACE_BECAUSE_CANNOT_UPDATE.json_name == "replace_because_cannot_update"
    assert ActionReason.DELETE_BECAUSE_EACH_KEY.json_name == "delete_because_each_key"
    assert ActionReason.REPLACE_BECAUSE_UPSTREAM.json_name == "replace_because_upstream"
