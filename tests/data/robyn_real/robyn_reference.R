# Robyn's own figures for the exports beside this file, computed by Robyn 3.11.0's R functions.
#
#   Rscript robyn_reference.R ROBYN_R_DIR FIXTURE_DIR
#
# ROBYN_R_DIR holds Robyn 3.11.0's own source files (CRAN release, mirrored as cran/Robyn at
# commit 0bde931fa69f576321eff811caab731cd57806c1): allocator.R, response.R, transformation.R
# as published, plus checks_extract.R (check_allocator, check_allocator_constrains,
# check_metric_type, check_metric_dates, check_metric_value, check_daterange from checks.R) and
# inputs_extract.R (hyper_names). They are not kept in this repository.
#
# Needs R with dplyr, jsonlite, nloptr, lubridate, stringr, ggplot2 (Debian: r-base-core
# r-cran-{dplyr,jsonlite,nloptr,lubridate,stringr,ggplot2}). Robyn itself is not installed:
# its lares helpers (plot labels, message text) are replaced below by inert stand-ins, and the
# objects robyn_allocator() reads (InputCollect, OutputCollect) are built from the JSON the way
# robyn_inputs() / robyn_engineering() / robyn_pareto() build them. Everything that computes a
# figure (adstock, saturation, carry-over, robyn_response, the allocator and its nloptr run, the
# CSV it writes) is Robyn's own code.
#
# Writes: FIXTURE_DIR/expected.json and, by robyn_allocator() itself, <solID>_max_response_reallocated.csv.

suppressPackageStartupMessages({
  library(dplyr)
  library(jsonlite)
  library(nloptr)
  library(lubridate)
  library(stringr)
  library(ggplot2)
})
args <- commandArgs(trailingOnly = TRUE)
robyn_dir <- args[1]
fixture_dir <- normalizePath(args[2])

# lares / Robyn helpers that only shape messages and plots
check_opts <- function(inputs, opts, ...) invisible(TRUE)
v2t <- function(vector, sep = ", ", quotes = TRUE, ...) paste(vector, collapse = sep)
num_abbr <- function(x, ...) format(x)
formatNum <- function(x, ...) format(x)
glued <- function(...) ""
theme_lares <- function(...) NULL
scale_x_abbr <- function(...) NULL
scale_y_abbr <- function(...) NULL
check_adstock <- function(adstock) {
  if (adstock == "weibull") adstock <- "weibull_cdf"
  stopifnot(adstock %in% c("geometric", "weibull_cdf", "weibull_pdf"))
  adstock
}
HYPS_NAMES <- c("thetas", "shapes", "scales", "alphas", "gammas", "penalty")

for (f in c("transformation.R", "response.R", "allocator.R", "checks_extract.R", "inputs_extract.R")) {
  source(file.path(robyn_dir, f))
}

# The allocator run of each export: Robyn's date_range argument, and the bounds in
# paid_media_spends order (tv_S, ooh_S, print_S, facebook_S, search_S).
runs <- list(
  "RobynModel-2_118_6.json" = list(date_range = c("2024-01-01", "2024-06-24")),
  "RobynModel-4_302_1.json" = list(date_range = "all"),
  "RobynModel-1_77_3.json" = list(date_range = "last_13")
)
constr_low <- c(0.8, 0.7, 0.7, 0.7, 0.7)
constr_up <- c(1.2, 1.5, 1.5, 1.5, 1.5)
offgrid_factors <- c(0.0371, 0.3090, 0.6180, 0.7713, 0.9999, 1.0001, 1.1370, 1.4142, 1.7320, 2.5, 3.3)

collect <- function(json_name) {
  json <- read_json(file.path(fixture_dir, json_name), simplifyVector = TRUE) # as robyn_read() reads it
  ic <- json$InputCollect
  em <- json$ExportedModel
  sid <- em$select_model
  # robyn_inputs(): dt_input with its date column as Date, sorted by date
  dt_input <- as_tibble(json$Extras$raw_data)
  dt_input[[ic$date_var]] <- as.Date(dt_input[[ic$date_var]])
  dt_input <- arrange(dt_input, .data[[ic$date_var]])
  # robyn_engineering(): dt_mod = the input with ds / dep_var, every row
  dt_mod <- dt_input
  colnames(dt_mod)[colnames(dt_mod) == ic$date_var] <- "ds"
  colnames(dt_mod)[colnames(dt_mod) == ic$dep_var] <- "dep_var"
  InputCollect <- list(
    dt_input = dt_input, dt_mod = dt_mod, date_var = ic$date_var, dayInterval = ic$dayInterval,
    intervalType = ic$intervalType, dep_var = ic$dep_var, dep_var_type = ic$dep_var_type,
    paid_media_spends = ic$paid_media_spends, paid_media_vars = ic$paid_media_vars,
    exposure_vars = character(0), organic_vars = ic$organic_vars, all_media = ic$all_media,
    rollingWindowStartWhich = ic$rollingWindowStartWhich, rollingWindowEndWhich = ic$rollingWindowEndWhich,
    adstock = ic$adstock, modNLS = list(results = NULL)
  )
  resultHypParam <- as_tibble(c(list(solID = sid), lapply(em$hyper_values, function(v) v[[1]])))
  xDecompAgg <- tibble(solID = sid, rn = em$summary$variable, coef = em$summary$coef)
  # robyn_pareto(): mediaVecCollect's adstockedMedia is every row of dt_mod, each medium adstocked
  adstocked <- select(dt_mod, "ds", all_of(ic$all_media))
  for (med in ic$all_media) {
    hp <- function(n) resultHypParam[[paste0(med, "_", n)]]
    adstocked[[med]] <- transform_adstock(
      adstocked[[med]], ic$adstock,
      theta = if (ic$adstock == "geometric") hp("thetas"),
      shape = if (ic$adstock != "geometric") hp("shapes"),
      scale = if (ic$adstock != "geometric") hp("scales")
    )$x_decayed
  }
  OutputCollect <- list(
    resultHypParam = resultHypParam, xDecompAgg = xDecompAgg, allSolutions = sid,
    mediaVecCollect = mutate(adstocked, type = "adstockedMedia", solID = sid),
    plot_folder = fixture_dir
  )
  alloc <- robyn_allocator(
    InputCollect = InputCollect, OutputCollect = OutputCollect, select_model = sid,
    scenario = "max_response", date_range = runs[[json_name]]$date_range,
    channel_constr_low = constr_low, channel_constr_up = constr_up,
    plots = FALSE, export = TRUE, quiet = TRUE
  )
  out <- alloc$dt_optimOut
  startRW <- ic$rollingWindowStartWhich
  endRW <- ic$rollingWindowEndWhich
  n <- nrow(dt_input)
  date_rows <- which(dt_input[[ic$date_var]] >= out$date_min[1] & dt_input[[ic$date_var]] <= out$date_max[1])
  channels <- list()
  for (ch in out$channels) {
    row <- out[out$channels == ch, ]
    alpha <- resultHypParam[[paste0(ch, "_alphas")]]
    coef <- xDecompAgg$coef[xDecompAgg$rn == ch]
    # the allocator's own call: robyn_response() with neither metric_value nor date_range
    hist <- robyn_response(
      InputCollect = InputCollect, OutputCollect = OutputCollect, select_model = sid, metric_name = ch,
      dt_hyppar = resultHypParam, dt_coef = xDecompAgg, quiet = TRUE, is_allocator = TRUE
    )
    carry <- mean(hist$input_carryover[startRW:endRW])
    hills <- get_hill_params(InputCollect, OutputCollect,
      select(resultHypParam, all_of(paste0(ch, c("_alphas", "_gammas")))),
      xDecompAgg, ch, sid
    )
    infl <- unname(hills$inflexions[[1]])
    win <- OutputCollect$mediaVecCollect[[ch]][startRW:endRW]
    # robyn_pareto()'s run_dt_resp: the summary's mean_response
    all_resp <- robyn_response(
      InputCollect = InputCollect, OutputCollect = OutputCollect, select_model = sid, metric_name = ch,
      date_range = "all", dt_hyppar = resultHypParam, dt_coef = xDecompAgg, quiet = TRUE
    )
    chn <- data.frame(v1 = all_resp$input_total[startRW:endRW])
    colnames(chn) <- ch
    h2 <- get_hill_params(InputCollect, NULL, resultHypParam, xDecompAgg[xDecompAgg$rn == ch, ], ch, sid, chn)
    mean_spend <- mean(dt_input[[ch]][startRW:endRW])
    mean_response <- fx_objective(mean_spend, h2$coefs_sorted, h2$alphas, h2$inflexions,
      mean(all_resp$input_carryover[startRW:endRW]), get_sum = FALSE)
    spends <- row$initSpendUnit * offgrid_factors
    offgrid <- lapply(spends, function(s) {
      last <- robyn_response(
        InputCollect = InputCollect, OutputCollect = OutputCollect, select_model = sid, metric_name = ch,
        metric_value = s, date_range = as.character(dt_input[[ic$date_var]][endRW]),
        dt_hyppar = resultHypParam, dt_coef = xDecompAgg, quiet = TRUE
      )
      list(spend = s, response = fx_objective(s, coef, alpha, infl, carry, get_sum = FALSE),
           robyn_response_last_period = last$response_total)
    })
    extra <- list()
    if (ic$adstock != "geometric") {
      sc <- resultHypParam[[paste0(ch, "_scales")]]
      extra$weibull_scale_trans <- unname(round(quantile(1:n, sc), 0))
      extra$lag_weights_head <- transform_adstock(dt_input[[ch]], ic$adstock,
        shape = resultHypParam[[paste0(ch, "_shapes")]], scale = sc)$thetaVecCum[1:6]
    }
    channels[[ch]] <- c(list(
      alpha = alpha, gamma = resultHypParam[[paste0(ch, "_gammas")]], coef = coef,
      adstocked_window_min = min(win), adstocked_window_max = max(win), inflexion = infl,
      carryover_mean = carry, init_spend = row$initSpendUnit, init_response = row$initResponseUnit,
      init_response_marg = row$initResponseMargUnit, mean_spend = mean_spend, mean_response = mean_response,
      carryover_response = fx_objective(0, coef, alpha, infl, carry, get_sum = FALSE),
      bounds = c(row$constr_low_abs, row$constr_up_abs),
      optm_spend = row$optmSpendUnit, optm_response = row$optmResponseUnit, offgrid = offgrid
    ), extra)
  }
  list(
    solID = sid, adstock = ic$adstock,
    window = list(start = ic$window_start, end = ic$window_end, rows = c(startRW, endRW)),
    allocator = list(
      date_range = runs[[json_name]]$date_range, date_min = as.character(out$date_min[1]),
      date_max = as.character(out$date_max[1]), date_rows = range(date_rows), periods = length(date_rows),
      csv = paste0(sid, "_max_response_reallocated.csv"), channel_constr_low = constr_low,
      channel_constr_up = constr_up, total_budget_unit = out$total_budget_unit[1],
      initResponseUnitTotal = out$initResponseUnitTotal[1], optmResponseUnitTotal = out$optmResponseUnitTotal[1],
      nloptr_status = alloc$nlsMod$status, nloptr_iterations = alloc$nlsMod$iterations
    ),
    channels = channels
  )
}

result <- list(
  computed_by = paste(
    "Robyn 3.11.0's own R functions (cran/Robyn commit 0bde931fa69f576321eff811caab731cd57806c1:",
    "robyn_allocator, robyn_response, get_hill_params, fx_objective, transform_adstock, saturation_hill)",
    "run by robyn_reference.R on", R.version.string, "with dplyr", as.character(packageVersion("dplyr")),
    "and nloptr", as.character(packageVersion("nloptr"))
  ),
  offgrid_factors = offgrid_factors,
  exports = lapply(setNames(names(runs), names(runs)), collect)
)
# jsonlite prints at most 15 significant digits: write every number with 17 (round-trip exact)
exact <- function(x) {
  if (is.list(x)) return(lapply(x, exact))
  if (is.numeric(x)) {
    txt <- sprintf("%.17g", x)
    return(structure(if (length(x) == 1) txt else sprintf("[%s]", paste(txt, collapse = ", ")), class = "json"))
  }
  x
}
write_json(exact(result), file.path(fixture_dir, "expected.json"), auto_unbox = TRUE, json_verbatim = TRUE, pretty = TRUE)
cat("wrote", file.path(fixture_dir, "expected.json"), "\n")
