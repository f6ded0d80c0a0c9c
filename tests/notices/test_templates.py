"""Template versions: an edit is a new version, used only after two sign-offs."""

from __future__ import annotations

import json

import yaml

from breachdesk.notices.render import default_template


def _add_user(run_cli, tmp_path, email: str, role: str) -> None:
    secret = tmp_path / f"{role}.pw"
    secret.write_text("correct horse battery staple 42\n")
    result = run_cli("user", "add", email, "--role", role, "--password-file", secret)
    assert result.exit_code == 0, result.output


def _approve(run_cli, tmp_path, template_id, role):
    return run_cli(
        "notice",
        "template",
        "approve",
        template_id,
        "--user",
        f"{role}@acme.example",
        "--password-file",
        tmp_path / f"{role}.pw",
    )


def _edited(tmp_path, words: str):
    data = default_template("initial", "en").model_dump(mode="json")
    data["sections"]["what_we_are_doing"] = words
    path = tmp_path / "edited.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


def test_an_edited_template_is_used_only_after_legal_and_comms_sign_off(
    run_cli, incident, tmp_path
) -> None:
    for role in ("legal_approver", "comms_approver", "agent"):
        _add_user(run_cli, tmp_path, f"{role}@acme.example", role)
    edited = _edited(tmp_path, "We reset every password and hired outside experts.")
    saved = run_cli("notice", "template", "edit", "--org", "acme", "--from", edited)
    assert saved.exit_code == 0, saved.output
    versions = json.loads(run_cli("notice", "template", "list", "--org", "acme", "--json").output)
    template_id = versions[0]["id"]
    assert not versions[0]["approved"]

    refused = _approve(run_cli, tmp_path, template_id, "agent")
    assert refused.exit_code == 2 and "only a legal_approver or a comms_approver" in refused.output
    assert _approve(run_cli, tmp_path, template_id, "legal_approver").exit_code == 0
    twice = _approve(run_cli, tmp_path, template_id, "legal_approver")
    assert "already has its legal_approver sign-off" in twice.output
    done = _approve(run_cli, tmp_path, template_id, "comms_approver")
    assert "now approved for use" in done.output, done.output

    versions = json.loads(run_cli("notice", "template", "list", "--org", "acme", "--json").output)
    assert versions[0]["approved"]
    events = run_cli("audit", "export").output
    assert events.count('"notice.template_approved"') == 2
    assert '"notice.template_saved"' in events


def test_an_edit_is_a_new_version_and_the_same_file_twice_is_refused(
    run_cli, incident, tmp_path
) -> None:
    first = _edited(tmp_path, "We hired outside experts.")
    assert run_cli("notice", "template", "edit", "--org", "acme", "--from", first).exit_code == 0
    again = run_cli("notice", "template", "edit", "--org", "acme", "--from", first)
    assert again.exit_code == 2 and "nothing to save" in again.output
    second = _edited(tmp_path, "We hired outside experts and reset passwords.")
    assert run_cli("notice", "template", "edit", "--org", "acme", "--from", second).exit_code == 0
    versions = json.loads(run_cli("notice", "template", "list", "--org", "acme", "--json").output)
    assert [v["version"] for v in versions] == [1, 2]


def test_a_template_that_does_not_lint_clean_cannot_be_approved(
    run_cli, incident, tmp_path
) -> None:
    _add_user(run_cli, tmp_path, "legal_approver@acme.example", "legal_approver")
    data = default_template("initial", "en").model_dump(mode="json")
    data["sections"]["greeting"] = "Dear customer, here is an update."  # no apology
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data))
    assert run_cli("notice", "template", "edit", "--org", "acme", "--from", path).exit_code == 0
    template_id = json.loads(
        run_cli("notice", "template", "list", "--org", "acme", "--json").output
    )[0]["id"]
    refused = _approve(run_cli, tmp_path, template_id, "legal_approver")
    assert refused.exit_code == 2
    assert "does not lint clean" in refused.output and "apologise" in refused.output
    check = run_cli("notice", "template", "check", template_id)
    assert check.exit_code == 1 and "tone.apology" in check.output


def test_a_wrong_password_approves_nothing(run_cli, incident, tmp_path) -> None:
    _add_user(run_cli, tmp_path, "legal_approver@acme.example", "legal_approver")
    assert (
        run_cli(
            "notice", "template", "edit", "--org", "acme", "--from", _edited(tmp_path, "x.")
        ).exit_code
        == 0
    )
    (tmp_path / "legal_approver.pw").write_text("not the password\n")
    result = _approve(run_cli, tmp_path, 1, "legal_approver")
    assert result.exit_code == 2 and "wrong email or password" in result.output


def test_show_prints_the_default_as_an_editable_file(run_cli) -> None:
    shown = run_cli("notice", "template", "show", "--default", "--lang", "es")
    assert shown.exit_code == 0
    assert yaml.safe_load(shown.output)["language"] == "es"
