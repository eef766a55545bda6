"""A tenant admin answers privacy requests from the pages, in both languages.

From the candidate page the admin exports everything held about the person (a
ZIP with the JSON file and the readable page) and then erases them (typing the
name to confirm); the audit page proves the trail untouched; the Security page
shows the backup taken that morning. Restoring that backup (``tenants restore``,
an operator's command) under a new workspace brings back the colleague who was
not erased, and not the person who was.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    LiveServer,
    assert_no_horizontal_scroll,
    expect_http_error,
    seed_tenant,
    shot,
    sign_in,
    sign_out,
    switch_language,
)
from tests.factories import TenantFixture

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Words:
    language_button: str
    export_button: str
    erase_link: re.Pattern[str]
    erase_button: str
    erased_flash: str
    verify_button: str
    last_backup: str


WORDS = {
    "en": Words("English", "Export all data", re.compile(r"Erase \(erasure request\)"),
                "Erase for good", "The candidate is erased", "Verify the trail",
                "Last backup"),
    "zh-CN": Words("中文", "导出全部数据", re.compile(r"删除[(（]删除请求[)）]"), "永久删除",
                   "候选人已删除", "验证日志", "最近一次备份"),
}


def _candidate(live: LiveServer, tenant: TenantFixture, name: str, email: str) -> str:
    made = live.app.test_client().post("/api/v1/candidates", headers=tenant.headers(), json={
        "name": name, "emails": [email], "phones": ["+8613800" + uuid.uuid4().hex[:6].translate(
            str.maketrans("abcdef", "123456"))],
        "career_goal": f"Lead a team ({name})", "status": "stalled"})
    assert made.status_code == 201, made.get_json()
    candidate_id: str = made.get_json()["id"]
    noted = live.app.test_client().post(
        f"/api/v1/candidates/{candidate_id}/interactions", headers=tenant.headers(),
        json={"direction": "inbound", "channel": "wechat",
              "summary": f"Wrapping up a project ({name})"})
    assert noted.status_code == 201, noted.get_json()
    return candidate_id


def _backup(live: LiveServer, tenant: TenantFixture, out: Path) -> None:
    done = live.app.test_cli_runner().invoke(
        args=["tenants", "backup", tenant.slug, "--out", str(out)])
    assert done.exit_code == 0, done.output


@pytest.mark.parametrize("locale", ["en", "zh-CN"])
def test_admin_answers_access_and_erasure_verifies_and_restores(
    desktop: Page, live_server: LiveServer, locale: str, tmp_path: Path,
) -> None:
    words = WORDS[locale]
    page = desktop
    tenant = seed_tenant(live_server, "privacy", locale="en")
    marker = uuid.uuid4().hex[:8]
    person = f"Erase Me {marker}"
    keeper = f"Keep Me {marker}"
    person_id = _candidate(live_server, tenant, person, f"erase.{marker}@mail.example")
    keeper_id = _candidate(live_server, tenant, keeper, f"keep.{marker}@mail.example")
    archive = tmp_path / "yesterday.rkbackup"
    _backup(live_server, tenant, archive)

    sign_in(page, tenant)
    if locale != "en":
        switch_language(page, words.language_button)

    # The access request: everything about the person, downloaded from their page.
    page.goto(f"/candidates/{person_id}")
    requests = page.locator("#privacy-requests")
    expect(requests).to_be_visible()
    shot(page, f"privacy-admin-candidate-{locale}")
    with page.expect_download() as download_info:
        requests.get_by_role("button", name=words.export_button).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes())) as bundle:
        names = bundle.namelist()
        json_name = next(name for name in names if name.endswith(".json"))
        assert any(name.endswith(".html") for name in names)
        exported = json.dumps(json.loads(bundle.read(json_name)), ensure_ascii=False)
    assert person in exported and f"Wrapping up a project ({person})" in exported
    assert keeper not in exported

    # The erasure request: confirm by typing the name, then the person is gone.
    requests.get_by_role("link", name=words.erase_link).click()
    expect(page).to_have_url(re.compile(rf"/candidates/{person_id}/erase$"))
    page.locator("input[name='confirm']").fill(person)
    shot(page, f"privacy-admin-erase-{locale}")
    page.get_by_role("button", name=words.erase_button).click()
    expect(page).to_have_url(re.compile(r"/candidates$"))
    expect(page.get_by_text(words.erased_flash)).to_be_visible()
    expect(page.get_by_text(person)).to_have_count(0)
    expect(page.get_by_text(keeper)).to_be_visible()
    assert_no_horizontal_scroll(page)
    shot(page, f"privacy-admin-erased-{locale}")
    expect_http_error(page, 404)
    gone = page.goto(f"/candidates/{person_id}")
    assert gone is not None and gone.status == 404

    # The audit verification: nobody tampered with the trail.
    page.goto("/settings/audit")
    page.get_by_role("button", name=words.verify_button).click()
    verdict = page.locator(".audit-verdict")
    expect(verdict).to_have_class(re.compile(r"\bgood\b"))
    shot(page, f"privacy-admin-audit-verified-{locale}")

    # The backup on the Security page, then restored under a new workspace.
    page.goto("/settings/security/")
    expect(page.get_by_text(words.last_backup).first).to_be_visible()
    shot(page, f"privacy-admin-security-{locale}")
    restored_slug = f"restored-{marker}"
    restored = live_server.app.test_cli_runner().invoke(
        args=["tenants", "restore", str(archive), "--as", restored_slug])
    assert restored.exit_code == 0, restored.output
    sign_out(page)
    sign_in(page, dataclasses.replace(tenant, slug=restored_slug))
    if locale != "en":  # the restored account kept the language it had at backup time
        switch_language(page, words.language_button)
    page.goto("/candidates")
    expect(page.get_by_text(keeper)).to_be_visible()
    expect(page.get_by_text(person)).to_have_count(0)
    shot(page, f"privacy-admin-restored-{locale}")
    expect_http_error(page, 404)
    missing = page.goto(f"/candidates/{person_id}")
    assert missing is not None and missing.status == 404
    assert page.goto(f"/candidates/{keeper_id}") is not None
    expect(page.get_by_role("heading", name=keeper)).to_be_visible()
