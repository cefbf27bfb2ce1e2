"""The rates report as a file (JSON, CSV, Excel), recorded in the audit chain when exported."""
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ..domain import rates as calc
from ..domain.cnnum import to_chinese
from ..formats.report_tables import ReportBook, Sheet, rates_csv, rates_xlsx
from . import audit
from .rates import Report
from .tx import begin_write, commit


def _with_class(row: dict, limits) -> dict:
    rates = {k: row.get(k) for k in calc.RATES}
    return {**row, "class": calc.classify(rates, limits)}


def _json(report: Report) -> bytes:
    return json.dumps(report.as_json(), ensure_ascii=False, indent=2).encode("utf-8")


def _csv(report: Report) -> bytes:
    data = report.as_json()
    return rates_csv(data["rows"], data["total"])


def _xlsx(report: Report) -> bytes:
    from .rates import thresholds
    limits = thresholds()
    data = report.as_json()
    sheets = [Sheet("第一级（直属下级）", [_with_class(r, limits) for r in data["rows"]], data["total"])]
    for depth, level in enumerate(report.levels()[1:], start=2):
        sheets.append(Sheet(f"第{to_chinese(depth)}级",
                            [_with_class({"name": u.name, "unit": u.code, **c.as_dict()}, limits) for u, c in level]))
    notes = [("报表", f"{report.year} 年度学法考法情况统计"), ("单位", f"{report.root.name}（{report.root.code}）"),
             ("统计日期", report.as_of.isoformat()), ("摘要（SHA-256）", data["digest"]),
             ("口径", "应参考 = 在编在岗的启用学员 − 已批准免考；合格率 = 合格 ÷ 参考；持证率 = 持有效行政执法证的执法人员 ÷ 执法人员"),
             ("说明", "第一级为直属下级单位（各含其下属单位）及本级人员，合计为各行之和；其后各级列出该层级每个单位（含其下属）的数字")]
    return rates_xlsx(ReportBook(sheets, notes))


@dataclass(frozen=True)
class ExportFormat:
    name: str
    mimetype: str
    render: Callable[[Report], bytes]


FORMATS = {f.name: f for f in (
    ExportFormat("json", "application/json", _json),
    ExportFormat("csv", "text/csv; charset=utf-8", _csv),
    ExportFormat("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _xlsx),
)}


def export(actor, report: Report, fmt: str, *, now: datetime, via: str = "web") -> bytes:
    """The file, and an audit event naming the report and its digest (one transaction)."""
    spec = FORMATS[fmt]
    data = spec.render(report)
    begin_write()
    audit.record("report.export", actor=actor, now=now, object_type="report", object_id=f"rates:{report.year}",
                 data={"unit": report.root.code, "format": fmt, "digest": report.digest, "as_of": report.as_of.isoformat(),
                       "via": via})
    commit()
    return data


def filename(report: Report, fmt: str) -> str:
    return f"rates-{report.year}-{report.root.code}.{fmt}"


__all__ = ["FORMATS", "export", "filename"]
