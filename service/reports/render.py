"""Reports as CSV (UTF-8 with BOM, so Excel opens it in Chinese) and printable HTML."""

import csv
import io

from flask import render_template

BOM = "\ufeff"

# The village's holding unit, team leader and supervision phone close each row, as the printed
# page shows them at its head: a CSV has no head, and a row cut out of it still says whom to
# call. Appended, so the earlier columns keep their places.
DISCLOSURE_COLUMNS = ("县", "乡镇", "村", "月份", "干部", "单位", "职级", "联系户", "困难程度",
                      "结对开始", "结对结束", "包扶任务及进度", "本月直接走访次数",
                      "本月新增诉求", "本月解决诉求", "本月无直接走访", "经县级批准调配",
                      "包村单位", "工作队长", "监督电话")
OVERRIDE_LABEL = "经县级批准调配"
BULLETIN_COLUMNS = ("排名", "月份", "单位", "干部人数", "结对户数", "已直接走访结对数",
                    "直接走访覆盖率", "无直接走访干部", "本月新增诉求", "本月解决诉求",
                    "诉求解决率", "诉求解决中位天数", "知晓率", "满意率")


def _cell(value):
    """Text a spreadsheet would run as a formula (=, +, -, @, tab, CR first) is kept as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_text(header, rows) -> str:
    """CSV with a BOM and CRLF lines, every cell safe to open in Excel."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_cell(v) for v in row] for row in rows)
    return out.getvalue()


def _tasks_text(tasks: list[dict]) -> str:
    return "；".join(f"{t['category_label']}({t['status_label']})" for t in tasks)


def difficulty_override(p: dict) -> bool:
    """Whether R4 was waived for this pairing. Content published before the flag existed
    carried the reason instead; only its presence is read, never its text."""
    return bool(p.get("difficulty_override", p.get("override_reason")))


def _holding(d: dict, key: str, none: str) -> str:
    """Every unit holding the village in the month (or its team leader), in order."""
    return "；".join(u[key] or none for u in d["holding_units"]) or "无"


def _percent(value) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


def _yes(flag: bool) -> str:
    return "是" if flag else "否"


def disclosure_csv(d: dict) -> str:
    """One row per pairing, the village, month, holding unit, team leader and supervision phone
    repeated on each row."""
    village = (_holding(d, "unit", "无"), _holding(d, "team_leader", "未确定"),
               d["supervision_phone"])
    rows = [(d["county"], d["township"], d["village"]["name"], d["month"], p["cadre"],
             p["unit"], p["rank_label"], p["household"], p["difficulty_label"],
             p["paired_from"], p["paired_to"] or "", _tasks_text(p["tasks"]),
             p["direct_visits"], p["demands_opened"], p["demands_resolved"],
             _yes(p["direct_visits"] == 0), _yes(difficulty_override(p)), *village)
            for p in d["pairings"]]
    return csv_text(DISCLOSURE_COLUMNS, rows)


def disclosure_html(d: dict, publication: dict | None = None) -> str:
    """An A4 page for the village notice board; a publication's page also carries its
    revision, any correction, its hash and where to verify it."""
    return render_template("disclosure.html", d=d, tasks_text=_tasks_text,
                           overridden=difficulty_override, override_label=OVERRIDE_LABEL,
                           publication=publication)


def bulletin_csv(b: dict) -> str:
    """One row per unit, in rank order."""
    rows = [(u["rank"], b["month"], u["unit"], u["cadres"], u["pairings"],
             u["pairings_visited"], _percent(u["visited_share"]),
             "、".join(c["cadre"] for c in u["cadres_without_direct_visit"]),
             u["demands_opened"], u["demands_resolved"], _percent(u["resolution_rate"]),
             "" if u["median_days_to_resolve"] is None else u["median_days_to_resolve"],
             _percent(u["knowledge_rate"]), _percent(u["satisfaction_rate"]))
            for u in b["units"]]
    return csv_text(BULLETIN_COLUMNS, rows)
