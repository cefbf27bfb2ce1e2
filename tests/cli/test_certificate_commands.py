"""`certificates list` (DESIGN §4) and `certificates pdf`."""
import json
from datetime import date

from tests.certificate_factory import make_certificate


def test_list_as_json_exactly_as_designed(runner, world):
    make_certificate(world.employee, "ZF-A1-2024-00001")
    make_certificate(world.b_person, "JD-B-2023-00002", type="SUPERVISION", status="suspended",
                     issued_on=date(2023, 5, 1), expires_on=date(2028, 5, 1))
    make_certificate(world.victim, "ZF-A2-2020-00003", issued_on=date(2020, 1, 1), expires_on=date(2025, 1, 1))
    r = runner.invoke(args=["certificates", "list", "--format", "json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)
    assert rows == [
        {"number": "JD-B-2023-00002", "holder": "王五", "username": "bperson", "type": "SUPERVISION",
         "status": "suspended", "issued_on": "2023-05-01", "expires_on": "2028-05-01"},
        {"number": "ZF-A1-2024-00001", "holder": "张三", "username": "employee", "type": "ENFORCEMENT",
         "status": "valid", "issued_on": "2024-01-10", "expires_on": "2029-01-10"},
        # still "valid" in the table until the nightly job runs, but its date has passed
        {"number": "ZF-A2-2020-00003", "holder": "李四", "username": "victim", "type": "ENFORCEMENT",
         "status": "expired", "issued_on": "2020-01-01", "expires_on": "2025-01-01"},
    ]
    r = runner.invoke(args=["certificates", "list", "--status", "expired", "--format", "json"])
    assert [row["number"] for row in json.loads(r.output)] == ["ZF-A2-2020-00003"]
    r = runner.invoke(args=["certificates", "list", "--status", "valid"])
    assert r.exit_code == 0 and "ZF-A1-2024-00001" in r.output and "ZF-A2-2020-00003" not in r.output
    assert "1 certificate(s)" in r.output


def test_list_rejects_an_unknown_status(runner, world):
    r = runner.invoke(args=["certificates", "list", "--status", "bogus"])
    assert r.exit_code == 2 and "--status" in r.output


def test_empty_list_is_an_empty_json_array(runner, world):
    r = runner.invoke(args=["certificates", "list", "--format", "json"])
    assert r.exit_code == 0 and json.loads(r.output) == []


def test_pdf_writes_the_certificate(app, runner, world, tmp_path):
    make_certificate(world.employee, "ZF-A1-2024-00001")
    app.config["BASE_URL"] = "https://exam.example.gov.cn"
    out = tmp_path / "cert.pdf"
    r = runner.invoke(args=["certificates", "pdf", "ZF-A1-2024-00001", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert out.read_bytes().startswith(b"%PDF-") and "ZF-A1-2024-00001" in r.output


def test_pdf_of_an_unknown_number_exits_1(runner, world, tmp_path):
    out = tmp_path / "cert.pdf"
    r = runner.invoke(args=["certificates", "pdf", "NOPE-1", "-o", str(out)])
    assert r.exit_code == 1 and "unknown certificate number NOPE-1" in r.output
    assert not out.exists()


def test_pdf_without_a_site_address_warns(app, runner, world, tmp_path):
    make_certificate(world.employee, "ZF-A1-2024-00001")
    app.config["BASE_URL"] = ""
    r = runner.invoke(args=["certificates", "pdf", "ZF-A1-2024-00001", "-o", str(tmp_path / "c.pdf")])
    assert r.exit_code == 0 and "EXAMAPP_BASE_URL" in r.output
