//===- TuningReport.h - What a tuning run found, for people ------*- C++
//-*-===//
//
// `anvil-tune --report DIR` writes three files:
//   report.json      every kernel: key, default and best config and latency,
//                    speed-up, trials (config, status, median, CI, memory)
//   report.md        a table per kernel (default vs best, speed-up, trials),
//                    the geomean and totals, and each kernel's
//                    latency/memory trade-off (its Pareto front)
//   convergence.svg  best-so-far speed-up over the default against the trial
//                    number, one curve per kernel and strategy
//
//===----------------------------------------------------------------------===//
#ifndef ANVIL_AUTOTUNE_TUNINGREPORT_H
#define ANVIL_AUTOTUNE_TUNINGREPORT_H

#include "autotune/Tuner.h"

#include <string>

namespace anvil::autotune {

/// Geometric mean of the speed-ups of the kernels that were tuned (1 if none).
double geomeanSpeedup(const TuneSummary &summary);

std::string reportJson(const TuneSummary &summary);
std::string reportMarkdown(const TuneSummary &summary);
std::string convergenceSvg(const TuneSummary &summary);

/// Writes the three files into `dir` (made if missing); `error` names the
/// file that could not be written.
bool writeReport(const TuneSummary &summary, const std::string &dir,
                 std::string &error);

} // namespace anvil::autotune

#endif // ANVIL_AUTOTUNE_TUNINGREPORT_H
