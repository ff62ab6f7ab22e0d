"""Renders a simulate report for people: a text table, or a small HTML page with a chart."""

from __future__ import annotations

import html
from typing import Any

from . import _core

NO_CURRENCY = "(no currency)"
ZERO_DECIMAL = frozenset(_core.zero_decimal_currencies())  # the SDK's list, not a copy


def money(amount: int, currency: str) -> str:
    """1234.50 USD, with thousands separators; no decimals for zero-decimal currencies."""
    if currency in ZERO_DECIMAL:
        text = f"{amount:,}"
    else:
        sign = "-" if amount < 0 else ""
        units, cents = divmod(abs(amount), 100)
        text = f"{sign}{units:,}.{cents:02d}"
    return f"{text} {currency or NO_CURRENCY}".rstrip()


def money_text(by_currency: dict[str, int]) -> str:
    return ", ".join(money(v, c) for c, v in sorted(by_currency.items()) if v) or "-"


def _table(rows: list[list[str]], header: list[str], right: set[int]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(r: list[str]) -> str:
        cells = [
            c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))
        ]
        return "  ".join(cells).rstrip()

    return [line(header), *(line(r) for r in rows)]


def _diff(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    return {c: a.get(c, 0) - b.get(c, 0) for c in sorted(set(a) | set(b))}


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def summary_line(report: dict[str, Any]) -> str:
    span = f" over {_days(report['days'])}" if report["days"] else ""
    rate = f"{report['events_per_second']:,.0f} events/s"
    return (
        f"{report['file']}: {report['events']:,} events{span}, {report['bad_lines']:,} bad "
        f"lines; {report['seconds']:.2f} s ({rate})"
    )


def text(report: dict[str, Any], names: list[str]) -> str:
    out = [summary_line(report)]
    for bad in report["bad_examples"]:
        where = f"{bad['file']}: " if "file" in bad else ""
        number = f"line {bad['line']}" if "line" in bad else f"row {bad['row']}"
        out.append(f"  {where}{number}: {bad['error']}")
    if report["bad_lines"] > len(report["bad_examples"]):
        out.append(f"  ... and {report['bad_lines'] - len(report['bad_examples'])} more")
    configs = report["configs"]
    for section, key in (("By action", "by_type"), ("By rule", "by_rule")):
        out.append(f"\n{section}:")
        keys = sorted(set().union(*(c[key] for c in configs)))
        header = ["ACTION" if key == "by_type" else "RULE"]
        rows = []
        for k in keys:
            row = [k]
            for c in configs:
                t = c[key].get(k, {"count": 0, "money": {}})
                row += [f"{t['count']:,}", money_text(t["money"])]
            if len(configs) == 2:
                a = configs[0][key].get(k, {"money": {}})["money"]
                b = configs[1][key].get(k, {"money": {}})["money"]
                row.append(money_text(_diff(a, b)))
            rows.append(row)
        for name in names:
            header += [f"COUNT {name}", f"MONEY {name}"]
        if len(configs) == 2:
            header.append("DIFFERENCE")
        right = set(range(1, len(header)))
        out += ["  " + line for line in _table(rows, header, right)]
    out.append(
        "\nGoodwill given: "
        + "; ".join(f"{money_text(c['goodwill'])} ({name})" for c, name in zip(configs, names))
    )
    out.append(
        "Points: "
        + "; ".join(
            f"{c['points']['awarded']:,} awarded, {c['points']['revoked']:,} revoked ({name})"
            for c, name in zip(configs, names)
        )
    )
    for c, name in zip(configs, names):
        if c["rule_errors"]:
            errors = ", ".join(f"{r} {n:,}" for r, n in sorted(c["rule_errors"].items()))
            out.append(f"Rule errors ({name}): {errors}")
    if len(configs) == 2:
        out.append("")
        out += differences(report, names)
    return "\n".join(out)


def differences(report: dict[str, Any], names: list[str]) -> list[str]:
    """One sentence per action type whose money differs between the two configs."""
    a, b = report["configs"]
    span = f" on these {_days(report['days'])}" if report["days"] else ""
    lines = []
    for kind in sorted(set(a["by_type"]) | set(b["by_type"])):
        diff = _diff(
            a["by_type"].get(kind, {"money": {}})["money"],
            b["by_type"].get(kind, {"money": {}})["money"],
        )
        for currency, amount in diff.items():
            if amount:
                more = "more" if amount > 0 else "less"
                lines.append(
                    f"{kind}: {names[0]} would have cost {money(abs(amount), currency)} "
                    f"{more} than {names[1]}{span}"
                )
    return lines or ["The two configs cost the same on these events."]


def html_page(report: dict[str, Any], names: list[str]) -> str:
    """A self-contained page: the summary, a bar chart of money by rule, and the tables."""
    configs = report["configs"]
    currencies = sorted({c for cfg in configs for t in cfg["by_rule"].values() for c in t["money"]})
    bars = []
    for cfg, name in zip(configs, names):
        for rule, t in sorted(cfg["by_rule"].items()):
            for currency in currencies:
                if t["money"].get(currency):
                    bars.append(
                        (
                            f"{rule} ({name})" if len(configs) > 1 else rule,
                            currency,
                            t["money"][currency],
                        )
                    )
    top = max((abs(v) for _, _, v in bars), default=1) or 1
    row_h, label_w, bar_w = 22, 360, 420
    svg = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + bar_w + 160}" '
        f'height="{row_h * len(bars) + 10}" role="img" aria-label="Cost by rule">'
    ]
    for i, (label, currency, value) in enumerate(bars):
        y = i * row_h + 5
        w = max(1, round(bar_w * abs(value) / top))
        svg.append(
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end">{html.escape(label)}</text>'
        )
        svg.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{w}" height="{row_h - 6}" fill="#3b7dd8"/>'
        )
        svg.append(
            f'<text x="{label_w + w + 6}" y="{y + 15}">{html.escape(money(value, currency))}</text>'
        )
    svg.append("</svg>")
    body = html.escape(text(report, names))
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>shoprules simulate</title><style>body{font-family:sans-serif;margin:2em}"
        "svg text{font-size:13px}pre{background:#f6f6f6;padding:1em}</style></head><body>"
        f"<h1>Simulation: {html.escape(report['file'])}</h1>"
        f"<p>{html.escape(summary_line(report))}</p>"
        "<h2>Cost by rule</h2>"
        + "\n".join(svg)
        + f"<h2>Details</h2><pre>{body}</pre></body></html>\n"
    )
