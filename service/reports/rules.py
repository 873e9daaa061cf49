"""Plain rules for public reports: masking names, ranking units (their labels come from the
one table, service/labels/table.py)."""

import statistics

# Two-character surnames (复姓) kept whole when masking: the common ones of the Hundred
# Family Surnames and those seen in county rosters.
COMPOUND_SURNAMES = frozenset("""
欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 司空 夏侯 轩辕 令狐 钟离 闻人
澹台 公冶 宗政 濮阳 太叔 申屠 仲孙 单于 赫连 万俟 呼延 端木 独孤 南宫 西门 百里 东郭 南门
羊舌 微生 梁丘 左丘 第五 公羊 谷梁 拓跋 乐正 壤驷 公良 漆雕 巫马 夹谷 宰父 亓官 司寇 子车
颛孙 段干 闾丘 东门 公西 鲜于 完颜
""".split())


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳明华 → 欧阳**: the surname stays, every other character is a star."""
    name = name.strip()
    if not name:
        return name
    keep = 2 if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else 1
    return name[:keep] + "*" * (len(name) - keep)


def share(part: int, whole: int) -> float | None:
    """part / whole rounded to 4 places; None when there is nothing to divide."""
    return None if whole == 0 else round(part / whole, 4)


def median_days(durations: list[float]) -> float | None:
    """Median of durations in days, to one decimal; None for none."""
    return None if not durations else round(statistics.median(durations), 1)


def rank_units(rows: list[dict]) -> list[dict]:
    """Rank units: share of pairings visited (desc), then demand resolution rate (desc), then
    fewer cadres without a direct visit, then name. Units without pairings come last."""
    def key(r):
        return (r["pairings"] == 0, -(r["visited_share"] or 0), -(r["resolution_rate"] or 0),
                len(r["cadres_without_direct_visit"]), r["unit"])

    ranked = sorted(rows, key=key)
    for place, row in enumerate(ranked, start=1):
        row["rank"] = place
    return ranked
