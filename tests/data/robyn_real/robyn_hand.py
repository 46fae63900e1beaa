"""Robyn 3.11.0's allocator arithmetic, worked by hand in plain Python (no numpy, no channelmix).

Written step by step from Robyn 3.11.0's R source as published on CRAN (the cran/Robyn mirror,
commit 0bde931fa69f576321eff811caab731cd57806c1); no R code is copied. Line numbers in
brackets are of those files at that commit:

* transformation.R  adstock_geometric, adstock_weibull, .normalize, saturation_hill
* response.R        robyn_response (which series is adstocked, what is "carry-over")
* allocator.R       robyn_allocator (window, date range, initSpendUnit, initResponseUnit,
                    bounds), fx_objective, get_hill_params
* checks.R          check_metric_dates, check_metric_value
* pareto.R          run_dt_resp (the summary's mean_response)

These figures are the fallback reference; robyn_reference.R computes the same ones with
Robyn's own R functions, and make_exports.py --check compares the two.
"""

from __future__ import annotations

import math


# --- R helpers ------------------------------------------------------------------------------

def quantile_type7_of_1_to_n(n: int, p: float) -> float:
    """R's quantile(1:n, p) (type 7), computed as stats:::quantile.default does."""
    index = 1 + max(n - 1, 0) * p
    lo, hi = math.floor(index), math.ceil(index)
    q = float(lo)  # x[lo] with x = 1:n
    if index > lo and hi != lo:
        h = index - lo
        q = (1 - h) * q + h * float(hi)
    return q


def r_round0(x: float) -> float:
    """R's round(x, 0): IEC 60559 rounding, half to even (as Python's round on a float)."""
    return float(round(x))


# --- adstocks (transformation.R) ---------------------------------------------------------------

def adstock_geometric(x: list[float], theta: float) -> dict:
    """x_decayed[1] = x[1]; x_decayed[i] = x[i] + theta * x_decayed[i - 1]."""
    decayed = [x[0]]
    for value in x[1:]:
        decayed.append(value + theta * decayed[-1])
    return {"x": list(x), "x_decayed": decayed, "x_imme": list(x)}


def weibull_lag_weights(n: int, shape: float, scale: float, kind: str) -> list[float]:
    """thetaVecCum over lags 0..n-1 for a series of length n (windlen = length(x)).

    scaleTrans = round(quantile(1:n, scale), 0)
    cdf: thetaVec = c(1, 1 - pweibull(1:(n-1), shape, scaleTrans)); thetaVecCum = cumprod(thetaVec)
    pdf: thetaVecCum = .normalize(dweibull(1:n, shape, scaleTrans)) (min-max to 0..1)
    """
    lam = r_round0(quantile_type7_of_1_to_n(n, scale))
    if kind == "cdf":
        weights, acc = [1.0], 1.0
        for q in range(1, n):
            cdf = -math.expm1(-((q / lam) ** shape))  # pweibull, lower tail
            acc *= 1.0 - cdf
            weights.append(acc)
        return weights
    dens = []
    for q in range(1, n + 1):
        t1 = (q / lam) ** (shape - 1)
        dens.append(shape * t1 * math.exp(-(t1 * (q / lam))) / lam)  # dweibull
    lo, hi = min(dens), max(dens)
    if hi - lo == 0:
        return [1.0] + [0.0] * (n - 1)
    return [(d - lo) / (hi - lo) for d in dens]


def adstock_weibull(x: list[float], shape: float, scale: float, kind: str) -> dict:
    """x_decayed[t] = sum_{j<=t} x[j] * w[t - j]; x_imme[t] = x[t] * w[0] (the matrix diagonal)."""
    n = len(x)
    if n <= 1 or shape == 0 or scale == 0:
        return {"x": list(x), "x_decayed": list(x), "x_imme": list(x)}
    w = weibull_lag_weights(n, shape, scale, kind)
    decayed = []
    for t in range(n):
        total = 0.0
        for j in range(t + 1):
            total += x[j] * w[t - j]
        decayed.append(total)
    return {"x": list(x), "x_decayed": decayed, "x_imme": [v * w[0] for v in x]}


def transform_adstock(x: list[float], adstock: str, hyper: dict, channel: str) -> dict:
    if adstock == "geometric":
        return adstock_geometric(x, hyper[f"{channel}_thetas"])
    kind = "cdf" if adstock == "weibull_cdf" else "pdf"
    return adstock_weibull(x, hyper[f"{channel}_shapes"], hyper[f"{channel}_scales"], kind)


def immediate(adstocked: dict, adstock: str) -> list[float]:
    """robyn_response: media_vec_sim_imme = x_imme for weibull_pdf, else x itself."""
    return adstocked["x_imme"] if adstock == "weibull_pdf" else adstocked["x"]


# --- saturation and the allocator's curve --------------------------------------------------------

def inflexion(adstocked_window: list[float], gamma: float) -> float:
    """c(range(x) %*% c(1 - gamma, gamma)): (1 - gamma) * min + gamma * max over the window."""
    return min(adstocked_window) * (1 - gamma) + max(adstocked_window) * gamma


def fx_objective(x: float, coef: float, alpha: float, infl: float, carryover_mean: float) -> float:
    """coeff * (1 + inflexion^alpha / (x + mean(carry-over))^alpha)^-1."""
    xa = x + carryover_mean
    return coef * ((1 + infl**alpha / xa**alpha) ** -1)


def saturation_hill_marginal(x_marginal: float, alpha: float, infl: float) -> float:
    """saturation_hill(..., x_marginal): x^alpha / (x^alpha + inflexion^alpha)."""
    return x_marginal**alpha / (x_marginal**alpha + infl**alpha)


# --- one channel as the allocator sees it ------------------------------------------------------

def channel_view(x: list[float], adstock: str, hyper: dict, coef: float, channel: str,
                 start: int, end: int, range_rows: list[int]) -> dict:
    """Everything robyn_allocator derives for one paid channel.

    x: the channel's spend over every row of dt_input (sorted by date);
    start, end: rollingWindowStartWhich / EndWhich, 1-based inclusive;
    range_rows: the allocator's date range, 1-based rows inside the window.
    """
    hist = transform_adstock(x, adstock, hyper, channel)  # the whole series, as it is
    window = list(range(start - 1, end))
    infl = inflexion([hist["x_decayed"][i] for i in window], hyper[f"{channel}_gammas"])
    imme = immediate(hist, adstock)
    carry = [hist["x_decayed"][i] - imme[i] for i in window]  # input_carryover[window_loc]
    carry_mean = sum(carry) / len(carry)
    spend_range = [x[i - 1] for i in range_rows]
    init_spend = sum(spend_range) / len(spend_range)  # initSpendUnit: mean over the date range
    mean_spend = sum(x[i] for i in window) / len(window)  # summary mean_spend: window mean
    alpha = hyper[f"{channel}_alphas"]
    return {
        "alpha": alpha, "gamma": hyper[f"{channel}_gammas"], "coef": coef, "inflexion": infl,
        "carryover_mean": carry_mean, "init_spend": init_spend, "mean_spend": mean_spend,
        "init_response": fx_objective(init_spend, coef, alpha, infl, carry_mean),
        "init_response_marg": fx_objective(init_spend + 1, coef, alpha, infl, carry_mean)
        - fx_objective(init_spend, coef, alpha, infl, carry_mean),
        "mean_response": fx_objective(mean_spend, coef, alpha, infl, carry_mean),
        "carryover_response": fx_objective(0.0, coef, alpha, infl, carry_mean),
        "mean_spend_adstocked": sum(hist["x_decayed"][i] for i in window) / len(window),
        "adstocked": hist["x_decayed"], "immediate": imme,
    }


def robyn_response_total(x: list[float], adstock: str, hyper: dict, coef: float, channel: str,
                         start: int, end: int, rows: list[int], total: float) -> list[float]:
    """robyn_response(metric_value = total, date_range = rows): the rows' spends become
    total / len(rows) each (check_metric_value), the series is adstocked again, and each row's
    response is coef * saturation_hill(x_marginal = input_total[row]) with the inflexion of the
    historical adstock over the window. Returns response_total per row."""
    sim = list(x)
    for r in rows:
        sim[r - 1] = total / len(rows) if len(rows) > 1 else total
    hist = transform_adstock(x, adstock, hyper, channel)
    infl = inflexion(hist["x_decayed"][start - 1:end], hyper[f"{channel}_gammas"])
    decayed = transform_adstock(sim, adstock, hyper, channel)["x_decayed"]
    alpha = hyper[f"{channel}_alphas"]
    return [coef * saturation_hill_marginal(decayed[r - 1], alpha, infl) for r in rows]
