//===- ModelCheck.h - Keeping only the configs faster in the model -*- C++
//-*-===//
//
// A kernel's candidates are timed alone (KernelVariant.h), where each run
// finds its buffers where its own previous run left them: in the caches of
// the cores that wrote them, in the layout its own distribution produced. In
// the model the previous kernel wrote them, under its own distribution. A
// config that wins alone can lose there (measured on ResNet-50: elementwise
// kernels that won on one thread alone ran 1.6x slower in the model, where
// half their input sits in the other core's cache).
//
// The model check builds the whole model several times: variant 0 with every
// kernel's default, variant r with each tuned kernel's r-th best candidate
// (its default when it has fewer). It runs the variants in alternation, one
// pass running each once, with the runtime's per-step profile switched on,
// and takes each kernel's time in each pass (its steps summed). A candidate
// is kept only when its time over the default's time in the same pass has a
// median below 1 with a 95% confidence interval below 1; the best such
// candidate wins, otherwise the default. The model with the kept configs is
// then built and timed against the all-default one, pass for pass, for the
// end-to-end ratio, and its outputs are compared with the default's. Passes
// in which the host gave the process fewer cores are dropped
// (uncontendedPasses).
//
//===----------------------------------------------------------------------===//
#ifndef ANVIL_AUTOTUNE_MODELCHECK_H
#define ANVIL_AUTOTUNE_MODELCHECK_H

#include "autotune/KernelVariant.h"
#include "autotune/Tuner.h"

#include <functional>
#include <string>
#include <vector>

namespace anvil::autotune {

/// Picks a kernel's config from its per-pass times in the model: times[0]
/// the default's, times[r] candidate r's (all the same length). Fills
/// `out`'s ratios and chosen (0: the default) as ModelCheck.h describes.
void chooseInModel(const std::vector<std::vector<double>> &times, InModel &out);

/// The passes to keep, given each pass's cores (its runs' CPU time over
/// wall time): those that got at least kContendedFraction of what the passes
/// usually get (their 90th percentile), when that is at least kParallelCores
/// and `minPasses` are left; otherwise every pass (Measurement.h: in a spell
/// with fewer cores, variants whose kernels use fewer workgroups than the
/// default's compare wrongly).
std::vector<size_t> uncontendedPasses(const std::vector<double> &cores,
                                      int minPasses);

/// Runs the model check over the kernels of `summary` (tuned from the
/// kernels-stage `module`, left unchanged) and stores every kernel whose
/// kept config differs from its standalone winner in `db`. Fails (with
/// `error`) on a database write; a model that cannot be built or run is a
/// `summary.modelCheck.skipped` reason and leaves the winners as they were.
mlir::LogicalResult
checkInModel(mlir::ModuleOp module, TuningDatabase &db,
             const TuneOptions &options, TuneSummary &summary,
             const std::function<void(const Progress &)> &progress,
             std::string &error);

} // namespace anvil::autotune

#endif // ANVIL_AUTOTUNE_MODELCHECK_H
