"""Write realistic Robyn 3.11 exports in the full robyn_write() JSON shape, deterministically.

    python make_exports.py          # the three RobynModel-*.json exports and raw_data.csv (stdlib only)
    Rscript robyn_reference.R ROBYN_R_DIR .   # Robyn's own figures: expected.json, *_reallocated.csv
    python make_exports.py --check  # robyn_hand.py's hand computation against expected.json and the CSVs

One weekly data set (130 Mondays, 2022-01-03 .. 2024-06-24; 5 paid channels, one organic, two
context variables, one unused column) and three models fitted on it, one per adstock. Each JSON
is laid out as Robyn 3.11.0's robyn_write() writes it (json.R: top-level InputCollect,
ModelsCollect, ExportedModel, Extras; jsonlite's write_json(pretty = TRUE, digits = 10): R
scalars as one-element arrays, data frames as lists of row objects with NA fields left out,
dates as "YYYY-MM-DD"). The figures a check needs are always recomputed from the numbers as
written in the file, never from the values drawn here.
"""

from __future__ import annotations

import csv
import json
import math
import random
import sys
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import robyn_hand as rh  # noqa: E402  (beside this script)
from robyn_json import Rows, as_written, dumps, vec  # noqa: E402
N_WEEKS = 130
FIRST = date(2022, 1, 3)
PAID = ["tv_S", "ooh_S", "print_S", "facebook_S", "search_S"]  # paid_media_spends, as given to robyn_inputs
ORGANIC = ["newsletter"]
CONTEXT = ["competitor_sales_B", "events"]
PROPHET = ["trend", "season", "holiday"]
# The allocator run each export is checked against: Robyn's date_range argument and the bounds.
LOW = [0.8, 0.7, 0.7, 0.7, 0.7]  # in PAID order: TV 0.8-1.2x, the others 0.7-1.5x
UP = [1.2, 1.5, 1.5, 1.5, 1.5]

MODELS = {
    "geometric": {
        "solID": "2_118_6", "window": ("2022-04-04", "2024-06-24"), "date_range": ["2024-01-01", "2024-06-24"],
        "hyper": {  # channel: (alpha, gamma, theta), coef
            "tv_S": ((2.1284730519, 0.6417293318, 0.5193382051), 191837.4417351208),
            "ooh_S": ((1.3712085301, 0.4862240981, 0.3104425871), 58824.0734197215),
            "print_S": ((0.9318275540, 0.7124931077, 0.1817920374), 24713.9183062874),
            "facebook_S": ((2.6431880227, 0.3718260113, 0.0914273381), 51239.7732194486),
            "search_S": ((1.1843310746, 0.8239041885, 0.0418839957), 66371.2297561034),
            "newsletter": ((1.5022931178, 0.5190264416, 0.2041776603), 9314.8851296112),
        },
    },
    "weibull_cdf": {
        "solID": "4_302_1", "window": ("2022-04-04", "2024-05-27"), "date_range": "all",
        "hyper": {  # channel: (alpha, gamma, shape, scale), coef
            "tv_S": ((1.8837104521, 0.5921838810, 1.7815325933, 0.0816213873), 205112.6651807231),
            "ooh_S": ((1.2216497185, 0.4410375594, 0.8874411903, 0.0512976640), 61027.3384910366),
            "print_S": ((1.0402158836, 0.6805017262, 2.4420937788, 0.0318852416), 22950.1117024458),
            "facebook_S": ((2.3318725560, 0.3982163027, 0.6059286813, 0.0190127453), 49811.0463377215),
            "search_S": ((1.2718830944, 0.7733862204, 1.2091384412, 0.0104472937), 64190.5520318374),
            "newsletter": ((1.4108922377, 0.5371199320, 1.0172831198, 0.0288171203), 9801.2265531102),
        },
    },
    "weibull_pdf": {
        "solID": "1_77_3", "window": ("2022-04-04", "2024-05-27"), "date_range": "last_13",
        "hyper": {
            "tv_S": ((2.0219372810, 0.6113420987, 2.6118253021, 0.0432117705), 214870.2204871195),
            "ooh_S": ((1.3092216547, 0.5022871365, 0.7183320574, 0.0297214402), 57342.8871940117),
            "print_S": ((0.9811726440, 0.6587730126, 3.4021185559, 0.0254471239), 23871.0039184571),
            "facebook_S": ((2.5230617281, 0.3501720774, 1.0000000000, 0.0161022391), 52218.4420893351),
            "search_S": ((1.1304818720, 0.8012639914, 1.8813740068, 0.0088514077), 63012.7719033286),
            "newsletter": ((1.4511092837, 0.4988813742, 2.1183901154, 0.0377116021), 9122.5507371199),
        },
    },
}
FILES = {kind: f"RobynModel-{m['solID']}.json" for kind, m in MODELS.items()}


# --- data ----------------------------------------------------------------------------------------

def weekly_data() -> dict[str, list]:
    """The input table (dt_input): spends with flighting, always-on digital, context, organic."""
    rng = random.Random(20240628)
    dates = [FIRST + timedelta(weeks=i) for i in range(N_WEEKS)]
    season = [math.sin(2 * math.pi * (i + 6) / 52.18) for i in range(N_WEEKS)]
    cols: dict[str, list] = {"DATE": [d.isoformat() for d in dates]}
    cols["tv_S"] = _flights(rng, season, on=(3, 7), off=(2, 6), level=(38000, 72000), lift=0.25)
    cols["ooh_S"] = _flights(rng, season, on=(4, 8), off=(3, 8), level=(9000, 21000), lift=0.1)
    cols["print_S"] = [round(rng.uniform(2500, 9000), 2) if rng.random() < 0.38 else 0.0 for _ in dates]
    cols["facebook_S"] = [round(9500 + 3200 * s + rng.uniform(0, 2600), 2) for s in season]
    cols["search_S"] = [round(6100 + 1500 * s + rng.uniform(0, 1300), 2) for s in season]
    cols["facebook_I"] = [round(v * rng.uniform(92, 106)) for v in cols["facebook_S"]]  # unused_vars
    cols["competitor_sales_B"] = [round(6.4e6 + 7.5e5 * s + rng.gauss(0, 1.2e5)) for s in season]
    cols["events"] = [("event1" if rng.random() < 0.5 else "event2") if rng.random() < 0.09 else "na" for _ in dates]
    cols["newsletter"] = [round(rng.uniform(14000, 41000)) for _ in dates]
    return cols


def _flights(rng: random.Random, season: list[float], on, off, level, lift) -> list[float]:
    out: list[float] = []
    active = rng.random() < 0.5
    while len(out) < len(season):
        span = rng.randint(*(on if active else off))
        for _ in range(span):
            i = len(out)
            if i == len(season):
                break
            out.append(round(rng.uniform(*level) * (1 + lift * season[i]), 2) if active else 0.0)
        active = not active
    return out


# --- the model's parts -------------------------------------------------------------------------

def prophet_parts(dates: list[str]) -> dict[str, list[float]]:
    """Stand-ins for prophet's trend, season and holiday regressors (not in the input data)."""
    n = len(dates)
    holiday = [1.0 if d[5:7] == "12" and d[8:10] >= "18" or d[5:10] in ("04-10", "04-17", "04-01") else 0.0 for d in dates]
    return {"trend": [1.92e6 + 2630.0 * i for i in range(n)],
            "season": [2.1e5 * math.sin(2 * math.pi * (i + 9) / 52.18) for i in range(n)],
            "holiday": [1.55e5 * h for h in holiday]}


def media_parts(kind: str, data: dict, rows: range) -> dict[str, list[float]]:
    """coef * Hill(adstocked) over the window rows, for every medium of the model (hand formulas)."""
    hyper = flat_hyper(kind)
    out = {}
    for ch in PAID + ORGANIC:
        x = [float(v) for v in data[ch]]
        dec = rh.transform_adstock(x, kind, hyper, ch)["x_decayed"]
        win = [dec[i] for i in rows]
        infl = rh.inflexion(win, hyper[f"{ch}_gammas"])
        alpha = hyper[f"{ch}_alphas"]
        coef = MODELS[kind]["hyper"][ch][1]
        out[ch] = [coef * rh.saturation_hill_marginal(v, alpha, infl) if v > 0 else 0.0 for v in win]
    return out


def flat_hyper(kind: str) -> dict[str, float]:
    names = ["alphas", "gammas", "thetas"] if kind == "geometric" else ["alphas", "gammas", "shapes", "scales"]
    return {f"{ch}_{n}": v for ch, (vals, _) in MODELS[kind]["hyper"].items() for n, v in zip(names, vals)}


def window_rows(dates: list[str], kind: str) -> range:
    start, end = MODELS[kind]["window"]
    return range(dates.index(start), dates.index(end) + 1)


def revenue(data: dict) -> list[float]:
    """The dependent variable: the geometric model's parts plus noise over every row."""
    rng = random.Random(7)
    rows = range(N_WEEKS)
    parts = prophet_parts(data["DATE"])
    media = media_parts("geometric", data, rows)
    ev = {"na": 0.0, "event1": 41000.0, "event2": 118000.0}
    out = []
    for i in rows:
        y = 3.1e5 + 0.74 * parts["trend"][i] + 0.81 * parts["season"][i] + 0.63 * parts["holiday"][i]
        y += 0.0297 * data["competitor_sales_B"][i] + ev[data["events"][i]]
        y += sum(media[ch][i] for ch in media) + rng.gauss(0, 4.5e4)
        out.append(round(y, 4))
    return out


# --- the export ---------------------------------------------------------------------------------

NON_MEDIA_COEF = {"trend": 0.74, "season": 0.81, "holiday": 0.63, "competitor_sales_B": 0.0297}
EVENT_EFFECT = {"na": 0.0, "event1": 41000.0, "event2": 118000.0}
ERRORS = {"geometric": (0.9213870112, 0.0672955183, 0.0581170352),
          "weibull_cdf": (0.9158224371, 0.0701127836, 0.0493381207),
          "weibull_pdf": (0.9087311120, 0.0738847122, 0.0622109835)}
RANGES = {"alphas": [0.5, 3], "gammas": [0.3, 1], "shapes_cdf": [0.0001, 2], "shapes_pdf": [0.0001, 10],
          "scales": [0, 0.1], "thetas": {"tv_S": [0.3, 0.8], "ooh_S": [0.1, 0.4], "print_S": [0.1, 0.4],
                                         "facebook_S": [0, 0.3], "search_S": [0, 0.3], "newsletter": [0.1, 0.4]}}


def hyper_ranges(kind: str) -> dict[str, list]:
    out = {}
    for ch in PAID + ORGANIC:
        out[f"{ch}_alphas"] = RANGES["alphas"]
        out[f"{ch}_gammas"] = RANGES["gammas"]
        if kind == "geometric":
            out[f"{ch}_thetas"] = RANGES["thetas"][ch]
        else:
            out[f"{ch}_shapes"] = RANGES["shapes_cdf" if kind == "weibull_cdf" else "shapes_pdf"]
            out[f"{ch}_scales"] = RANGES["scales"]
    out["train_size"] = [0.5, 0.8]
    return out


def build_export(kind: str, data: dict) -> dict:
    m, dates = MODELS[kind], data["DATE"]
    rows = window_rows(dates, kind)
    start_which, end_which, length = rows.start + 1, rows.stop, len(rows)
    lo, hi = sorted((end_which, length))  # robyn_inputs sums rows rollingWindowEndWhich:rollingWindowLength
    paid_total = sum(data[ch][i] for ch in PAID for i in range(lo - 1, hi))
    inputs = {
        "date_var": vec("DATE"), "dayInterval": vec(7), "intervalType": vec("week"), "dep_var": vec("revenue"),
        "dep_var_type": vec("revenue"), "prophet_vars": vec(*PROPHET), "prophet_signs": vec(*["default"] * 3),
        "prophet_country": vec("DE"), "context_vars": vec(*CONTEXT), "context_signs": vec("default", "default"),
        "paid_media_vars": vec(*PAID), "paid_media_signs": vec(*["positive"] * 5), "paid_media_spends": vec(*PAID),
        "paid_media_total": vec(paid_total), "mediaVarCount": vec(5), "exposure_vars": [],
        "organic_vars": vec(*ORGANIC), "organic_signs": vec("positive"), "all_media": vec(*PAID, *ORGANIC),
        "all_ind_vars": vec(*PROPHET, *CONTEXT, *PAID, *ORGANIC), "factor_vars": vec("events"),
        "unused_vars": vec("facebook_I"), "window_start": vec(m["window"][0]), "rollingWindowStartWhich": vec(start_which),
        "window_end": vec(m["window"][1]), "rollingWindowEndWhich": vec(end_which), "rollingWindowLength": vec(length),
        "totalObservations": vec(N_WEEKS), "refreshAddedStart": vec(m["window"][0]), "adstock": vec(kind),
        "hyperparameters": hyper_ranges(kind), "calibration_input": {}, "custom_params": [],
        "version": vec("Robyn (stable) v3.11.0 [R-4.4.1]"),
    }
    hyper = {k: as_written(v) for k, v in flat_hyper(kind).items()}
    coefs = {ch: as_written(c) for ch, (_, c) in m["hyper"].items()}
    summary = _summary(kind, data, rows, hyper, coefs)
    rsq, nrmse, rssd = ERRORS[kind]
    paid_rows = [r for r in summary if r["variable"] in PAID]
    exported = {
        "select_model": vec(m["solID"]),
        "performance": Rows([{"solID": m["solID"], "metric": "ROAS",
                              "performance": sum(r["decompAgg"] for r in paid_rows) / sum(sum(data[r["variable"]][i] for i in rows) for r in paid_rows)}]),
        "summary": Rows(summary),
        "errors": Rows([{"rsq_train": rsq, "nrmse_train": nrmse, "nrmse": nrmse, "decomp.rssd": rssd, "mape": 0}]),
        "hyper_values": {k: vec(v) for k, v in sorted({**hyper, "lambda": 1843.2876637912, "train_size": 1}.items())},
        "hyper_updated": {**hyper_ranges(kind), "lambda": [0, 1], "train_size": [1]},
        "clusters": {"data": Rows([{"solID": m["solID"], "cluster": 3, "n": 14}])},
    }
    models = {
        "ts_validation": vec(False), "train_timestamp": vec("2024-07-01 09:12:44"),
        "export_timestamp": vec("2024-07-01 10:02:17"), "run_time": vec("21.37 min"), "outputs_time": vec("3.12 min"),
        "total_time": vec("24.49 min"), "total_iters": vec(10000), "conv_msg": vec("DECOMP.RSSD converged", "NRMSE NOT converged"),
        "n_clusters": vec(6), "hyper_fixed": vec(False), "plot_folder": vec(f"/home/analyst/mmm/Robyn_202407010912_{kind}_init/"),
        "calibration_constraint": vec(0.1), "cores": vec(8), "iterations": vec(2000), "trials": vec(5),
        "intercept": vec(True), "intercept_sign": vec("non_negative"), "nevergrad_algo": vec("TwoPointsDE"),
        "add_penalty_factor": vec(False), "seed": vec(123), "pareto_fronts": vec(2),
    }
    columns = ["DATE", "revenue", "tv_S", "ooh_S", "print_S", "facebook_S", "facebook_I", "search_S",
               "competitor_sales_B", "events", "newsletter"]
    raw = Rows([{c: data[c][i] for c in columns} for i in range(N_WEEKS)])
    return {"InputCollect": inputs, "ModelsCollect": models, "ExportedModel": exported, "Extras": {"raw_data": raw}}


def _summary(kind: str, data: dict, rows: range, hyper: dict, coefs: dict) -> list[dict]:
    """xDecompAgg of the model over the window, as robyn_write() selects it."""
    parts = prophet_parts(data["DATE"])
    media = media_parts(kind, data, rows)
    agg = {"trend": 0.0, "season": 0.0, "holiday": 0.0, "competitor_sales_B": 0.0, "events": 0.0}
    for i in rows:
        for v in PROPHET:
            agg[v] += NON_MEDIA_COEF[v] * parts[v][i]
        agg["competitor_sales_B"] += NON_MEDIA_COEF["competitor_sales_B"] * data["competitor_sales_B"][i]
        agg["events"] += EVENT_EFFECT[data["events"][i]]
    agg.update({ch: sum(media[ch]) for ch in PAID + ORGANIC})
    target = sum(data["revenue"][i] for i in rows)
    intercept = round((target - sum(agg.values())) / len(rows), 4)  # the fit's level
    agg = {"(Intercept)": intercept * len(rows), **agg}
    y_hat = sum(agg.values())
    coef = {"(Intercept)": intercept, **NON_MEDIA_COEF, "events": (41000.0 + 118000.0) / 2, **coefs}
    out, rng = [], random.Random(len(kind))
    start, end = rows.start + 1, rows.stop
    for var, value in agg.items():
        row = {"variable": var, "coef": coef[var], "decompPer": value / y_hat, "decompAgg": value}
        if var in PAID:
            x = [float(v) for v in data[var]]
            view = rh.channel_view(x, kind, hyper, coefs[var], var, start, end, list(range(start, end + 1)))
            roi = value / sum(x[i] for i in rows)
            boot = roi * (1 + rng.uniform(-0.04, 0.04))
            row.update({"performance": roi, "mean_response": view["mean_response"], "mean_spend": view["mean_spend"],
                        "boot_mean": boot, "ci_low": boot * 0.78, "ci_up": boot * 1.24})
        out.append(row)
    return out


def write_all() -> None:
    data = weekly_data()
    data["revenue"] = revenue(data)
    for kind, name in FILES.items():
        (HERE / name).write_text(dumps(build_export(kind, data)) + "\n", encoding="utf-8")
    doc = json.loads((HERE / FILES["geometric"]).read_text(encoding="utf-8"))
    rows = doc["Extras"]["raw_data"]
    with open(HERE / "raw_data.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


# --- the hand computation against Robyn's own figures -------------------------------------------

CHECKED = ["inflexion", "carryover_mean", "init_spend", "init_response", "init_response_marg",
           "mean_spend", "mean_response", "carryover_response"]


def hand_figures(name: str, expected_export: dict) -> dict[str, dict]:
    """robyn_hand.py's figures for every paid channel of one export, read from the file itself."""
    doc = json.loads((HERE / name).read_text(encoding="utf-8"))
    inputs, model = doc["InputCollect"], doc["ExportedModel"]
    kind = inputs["adstock"][0]
    start, end = inputs["rollingWindowStartWhich"][0], inputs["rollingWindowEndWhich"][0]
    hyper = {k: v[0] for k, v in model["hyper_values"].items()}
    coef = {r["variable"]: r["coef"] for r in model["summary"]}
    raw = doc["Extras"]["raw_data"]
    lo, hi = expected_export["allocator"]["date_rows"]
    out = {}
    for ch in inputs["paid_media_spends"]:
        x = [float(r[ch]) for r in raw]
        view = rh.channel_view(x, kind, hyper, coef[ch], ch, start, end, list(range(lo, hi + 1)))
        view["offgrid"] = [rh.fx_objective(p["spend"], coef[ch], view["alpha"], view["inflexion"], view["carryover_mean"])
                           for p in expected_export["channels"][ch]["offgrid"]]
        view["last_period"] = [rh.robyn_response_total(x, kind, hyper, coef[ch], ch, start, end, [end], p["spend"])[0]
                               for p in expected_export["channels"][ch]["offgrid"]]
        view["summary_mean_response"] = next(r["mean_response"] for r in model["summary"] if r["variable"] == ch)
        out[ch] = view
    return out


def check() -> int:
    """Largest relative gap between the hand computation and Robyn's own figures, per export."""
    expected = json.loads((HERE / "expected.json").read_text(encoding="utf-8"))
    worst_all = 0.0
    for name, exp in expected["exports"].items():
        hand = hand_figures(name, exp)
        csv_rows = {r["channels"]: r for r in csv.DictReader(open(HERE / exp["allocator"]["csv"], encoding="utf-8"))}
        worst = 0.0
        for ch, fig in exp["channels"].items():
            pairs = [(fig[k], hand[ch][k]) for k in CHECKED]
            pairs += [(p["response"], h) for p, h in zip(fig["offgrid"], hand[ch]["offgrid"])]
            pairs += [(p["robyn_response_last_period"], h) for p, h in zip(fig["offgrid"], hand[ch]["last_period"])]
            pairs += [(float(csv_rows[ch]["initSpendUnit"]), hand[ch]["init_spend"]),
                      (float(csv_rows[ch]["initResponseUnit"]), hand[ch]["init_response"]),
                      (fig["mean_response"], hand[ch]["summary_mean_response"])]
            worst = max([worst] + [abs(a - b) / max(abs(a), 1e-300) for a, b in pairs])
        print(f"{name}: largest relative gap, hand computation vs Robyn 3.11.0 in R: {worst:.2e}")
        worst_all = max(worst_all, worst)
    return 0 if worst_all < 1e-9 else 1


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        sys.exit(check())
    if sys.argv[1:]:
        sys.exit(__doc__)
    write_all()
