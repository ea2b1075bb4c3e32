//===- TuningReport.cpp - What a tuning run found, for people -------------===//
#include "autotune/TuningReport.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <map>

using namespace anvil::autotune;

namespace {

bool tuned(const KernelSummary &k) { return k.skipped.empty() && k.bestNs > 0; }

llvm::json::Value number(double v) {
  if (std::isnan(v))
    return nullptr;
  return v;
}

std::string ms(double ns) {
  if (std::isnan(ns))
    return "-";
  return llvm::formatv("{0:F3}", ns / 1e6).str();
}

std::string kib(uint64_t bytes) {
  return llvm::formatv("{0:F1}", (double)bytes / 1024).str();
}

/// An ok trial whose time is compared with others' (not a contended one).
bool compared(const TrialSummary &t) {
  return t.status == "ok" && !isContended(t.message);
}

/// The compared trials of `k` that no other beats in both latency and
/// memory, by latency.
std::vector<const TrialSummary *> paretoFront(const KernelSummary &k) {
  std::vector<const TrialSummary *> front;
  for (const TrialSummary &t : k.trials) {
    if (!compared(t))
      continue;
    bool dominated = false;
    for (const TrialSummary &o : k.trials)
      if (compared(o) &&
          ((o.medianNs <= t.medianNs && o.memoryBytes < t.memoryBytes) ||
           (o.medianNs < t.medianNs && o.memoryBytes <= t.memoryBytes)))
        dominated = true;
    if (!dominated)
      front.push_back(&t);
  }
  std::sort(front.begin(), front.end(), [](auto *a, auto *b) {
    return a->medianNs != b->medianNs ? a->medianNs < b->medianNs
                                      : a->config < b->config;
  });
  return front;
}

/// Best-so-far speed-up over the default after each trial of `k` made by
/// `strategy` (the default's own trial counts as trial 0 of every curve).
std::vector<double> curve(const KernelSummary &k, const std::string &strategy) {
  std::vector<double> points;
  double defaultNs = NAN;
  for (const TrialSummary &t : k.trials)
    if (t.config == k.defaultConfig && t.status == "ok")
      defaultNs = t.medianNs;
  if (std::isnan(defaultNs))
    return points;
  double best = defaultNs;
  points.push_back(1);
  for (const TrialSummary &t : k.trials) {
    if (t.config == k.defaultConfig || t.strategy != strategy)
      continue;
    if (compared(t))
      best = std::min(best, t.medianNs);
    points.push_back(defaultNs / best);
  }
  return points;
}

std::vector<std::string> strategiesOf(const KernelSummary &k) {
  std::vector<std::string> names;
  for (const TrialSummary &t : k.trials)
    if (t.config != k.defaultConfig &&
        std::find(names.begin(), names.end(), t.strategy) == names.end())
      names.push_back(t.strategy);
  return names;
}

std::string escapeXml(const std::string &s) {
  std::string out;
  for (char c : s) {
    if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '&')
      out += "&amp;";
    else
      out += c;
  }
  return out;
}

} // namespace

double anvil::autotune::geomeanSpeedup(const TuneSummary &summary) {
  double logSum = 0;
  int n = 0;
  for (const KernelSummary &k : summary.kernels)
    if (tuned(k)) {
      logSum += std::log(k.speedup());
      ++n;
    }
  return n ? std::exp(logSum / n) : 1.0;
}

std::string anvil::autotune::reportJson(const TuneSummary &summary) {
  llvm::json::Array kernels;
  for (const KernelSummary &k : summary.kernels) {
    llvm::json::Array trials;
    for (const TrialSummary &t : k.trials)
      trials.push_back(llvm::json::Object{
          {"config", t.config},
          {"status", t.status},
          {"strategy", t.strategy},
          {"medianNs", number(t.medianNs)},
          {"ciLowNs", number(t.ciLowNs)},
          {"ciHighNs", number(t.ciHighNs)},
          {"memoryBytes", (int64_t)t.memoryBytes},
          {"earlierRun", t.fromEarlierRun},
          {"message", t.message},
      });
    llvm::json::Object o{
        {"indices", llvm::json::Array(k.indices)},
        {"symbol", k.symbol},
        {"rootOp", k.rootOp},
        {"kind", k.kind},
        {"key", llvm::json::Object{{"kernelHash", k.key.kernelHash},
                                   {"shapes", k.key.shapes},
                                   {"target", k.key.target},
                                   {"fingerprint", k.key.fingerprint},
                                   {"compilerVersion", k.key.compilerVersion}}},
        {"work", (int64_t)std::min<uint64_t>(k.work, INT64_MAX)},
        {"dispatches", k.dispatches},
        {"defaultConfig", k.defaultConfig},
    };
    if (!k.skipped.empty()) {
      o["skipped"] = k.skipped;
    } else {
      o["bestConfig"] = k.bestConfig;
      o["defaultNs"] = number(k.defaultNs);
      o["bestNs"] = number(k.bestNs);
      o["bestCiLowNs"] = number(k.bestCiLowNs);
      o["bestCiHighNs"] = number(k.bestCiHighNs);
      o["defaultMemoryBytes"] = (int64_t)k.defaultMemory;
      o["bestMemoryBytes"] = (int64_t)k.bestMemory;
      o["speedup"] = number(k.speedup());
      o["spaceSize"] = (int64_t)k.spaceSize;
      o["strategy"] = k.strategy;
      o["newTrials"] = k.newTrials;
      o["seconds"] = k.seconds;
      o["defaultCores"] = number(k.defaultCores);
      o["weightsBytes"] = (int64_t)k.weightsBytes;
      o["flushedBytesPerRun"] = (int64_t)k.flushedBytes;
      o["droppedPairs"] = k.droppedPairs;
      o["contendedTrials"] = k.contendedTrials;
      o["otherConditionsTrials"] = k.otherConditionsTrials;
      o["trials"] = std::move(trials);
      if (k.inModel.checked) {
        llvm::json::Array candidates;
        for (size_t r = 0; r < k.inModel.ratio.size(); ++r)
          candidates.push_back(llvm::json::Object{
              {"config", k.candidates[r].config},
              {"aloneSpeedup", number(k.defaultNs / k.candidates[r].medianNs)},
              {"inModelRatio", number(k.inModel.ratio[r])},
              {"inModelRatioLow", number(k.inModel.ratioLow[r])},
              {"inModelRatioHigh", number(k.inModel.ratioHigh[r])},
          });
        o["modelCheck"] = llvm::json::Object{
            {"chosen", k.inModel.chosen},
            {"defaultInModelNs", number(k.inModel.defaultNs)},
            {"candidates", std::move(candidates)},
        };
      }
    }
    kernels.push_back(std::move(o));
  }
  llvm::json::Object doc{
      {"format", 1},
      {"model", summary.model},
      {"objective", summary.objective},
      {"strategy", summary.strategy},
      {"fingerprint", summary.fingerprint},
      {"threads", summary.threads},
      {"trialsPerKernel", summary.trials},
      {"coldWeights", summary.coldWeights},
      {"weightsCache", summary.weightsCacheReason},
      {"conditions", summary.conditions},
      {"seconds", summary.seconds},
      {"geomeanSpeedup", geomeanSpeedup(summary)},
      {"kernels", std::move(kernels)},
  };
  const ModelCheckSummary &check = summary.modelCheck;
  llvm::json::Object modelCheck{{"ran", check.ran}};
  if (check.ran) {
    modelCheck["seconds"] = check.seconds;
    modelCheck["variants"] = check.variants;
    modelCheck["passes"] = check.passes;
    modelCheck["droppedPasses"] = check.droppedPasses;
    modelCheck["defaultNs"] = number(check.defaultNs);
    modelCheck["tunedNs"] = number(check.tunedNs);
    modelCheck["ratio"] = number(check.ratio);
    modelCheck["ratioLow"] = number(check.ratioLow);
    modelCheck["ratioHigh"] = number(check.ratioHigh);
    modelCheck["kept"] = check.kept;
    modelCheck["switched"] = check.switched;
    modelCheck["reverted"] = check.reverted;
    modelCheck["allReverted"] = check.allReverted;
  } else {
    modelCheck["skipped"] = check.skipped;
  }
  doc["modelCheck"] = std::move(modelCheck);
  return llvm::formatv("{0:2}", llvm::json::Value(std::move(doc))).str() + "\n";
}

std::string anvil::autotune::reportMarkdown(const TuneSummary &summary) {
  std::string s;
  llvm::raw_string_ostream os(s);
  int tunedCount = 0, trials = 0;
  double defaultTotal = 0, bestTotal = 0;
  for (const KernelSummary &k : summary.kernels)
    if (tuned(k)) {
      ++tunedCount;
      trials += k.newTrials;
      defaultTotal += k.defaultNs * std::max<int64_t>(k.dispatches, 1);
      bestTotal += k.bestNs * std::max<int64_t>(k.dispatches, 1);
    }
  os << "# Tuning report: " << summary.model << "\n\n";
  os << "Objective **" << summary.objective << "**, strategy **"
     << summary.strategy << "**, up to " << summary.trials
     << " trials per kernel, " << summary.threads << " threads, machine `"
     << summary.fingerprint << "`; weights timed " << summary.weightsCacheReason
     << ".\n\n";
  os << tunedCount << " of " << summary.kernels.size()
     << " distinct kernels tuned, " << trials << " new trials in "
     << llvm::formatv("{0:F1}", summary.seconds) << " s. Geomean speed-up "
     << llvm::formatv("{0:F3}", geomeanSpeedup(summary))
     << "x; the tuned kernels' total time per run (each kernel times its "
        "dispatches) "
     << ms(defaultTotal) << " ms -> " << ms(bestTotal) << " ms.\n\n";
  os << "| kernels | symbol | op | default (ms) | best (ms) | speed-up | "
        "trials (new) | space | strategy | best config |\n";
  os << "|---|---|---|---|---|---|---|---|---|---|\n";
  for (const KernelSummary &k : summary.kernels) {
    std::string indices;
    for (int64_t i : k.indices)
      indices += (indices.empty() ? "" : ",") + std::to_string(i);
    os << "| " << indices << " | " << k.symbol << " | " << k.rootOp << " | ";
    if (!tuned(k)) {
      os << "- | - | - | - | - | - | skipped: " << k.skipped << " |\n";
      continue;
    }
    os << ms(k.defaultNs) << " | " << ms(k.bestNs) << " [" << ms(k.bestCiLowNs)
       << ", " << ms(k.bestCiHighNs) << "] | "
       << llvm::formatv("{0:F3}", k.speedup()) << "x | " << k.trials.size()
       << " (" << k.newTrials << ") | " << k.spaceSize << " | " << k.strategy
       << " | `" << k.bestConfig << "` |\n";
  }
  int dropped = 0, contendedTrials = 0;
  for (const KernelSummary &k : summary.kernels) {
    dropped += k.droppedPairs;
    contendedTrials += k.contendedTrials;
  }
  if (dropped)
    os << "\nThe host gave the process fewer cores than the defaults use "
          "during "
       << dropped << " paired runs; they were dropped and measured again"
       << (contendedTrials ? ", and " + std::to_string(contendedTrials) +
                                 " trials stayed contended (their times are "
                                 "not compared; see each trial's message)"
                           : std::string())
       << ".\n";
  const ModelCheckSummary &check = summary.modelCheck;
  os << "\n## Model check\n\n";
  if (!check.ran) {
    os << "Not run: " << check.skipped << ".\n";
  } else {
    os << "Each kernel's candidates timed inside whole-model runs ("
       << check.variants << " variants of the model in alternation, "
       << check.passes << " passes, " << llvm::formatv("{0:F1}", check.seconds)
       << " s): " << check.kept << " winners kept, " << check.switched
       << " replaced by a runner-up, " << check.reverted
       << " back to the default"
       << (check.allReverted ? " (every kernel: the kept configs were not "
                               "faster end to end)"
                             : "")
       << ". The model per run: " << ms(check.defaultNs)
       << " ms with the defaults";
    if (check.kept + check.switched == 0 && !check.allReverted)
      os << " (nothing kept).\n\n";
    else
      os << ", " << ms(check.tunedNs)
         << " ms with the kept configs (time ratio "
         << llvm::formatv("{0:F3} [{1:F3}, {2:F3}]", check.ratio,
                          check.ratioLow, check.ratioHigh)
         << ", pass for pass).\n\n";
    os << "| symbol | default in model (ms) | candidate: alone speed-up, "
          "in-model time ratio [95% CI] | kept |\n|---|---|---|---|\n";
    for (const KernelSummary &k : summary.kernels) {
      if (!tuned(k) || !k.inModel.checked)
        continue;
      os << "| " << k.symbol << " | " << ms(k.inModel.defaultNs) << " | ";
      for (size_t r = 0; r < k.inModel.ratio.size(); ++r)
        os << (r ? "; " : "") << r + 1 << ": "
           << llvm::formatv("{0:F3}x, {1:F3} [{2:F3}, {3:F3}]",
                            k.defaultNs / k.candidates[r].medianNs,
                            k.inModel.ratio[r], k.inModel.ratioLow[r],
                            k.inModel.ratioHigh[r]);
      os << " | "
         << (k.inModel.chosen ? "candidate " + std::to_string(k.inModel.chosen)
                              : std::string("default"))
         << " |\n";
    }
  }
  os << "\n## Latency and memory\n\n"
        "Memory is the variant's workspace (the packed weight panels on the "
        "stack) plus its arena. Each kernel's measured configs that no other "
        "beats in both:\n";
  for (const KernelSummary &k : summary.kernels) {
    if (!tuned(k))
      continue;
    os << "\n### " << k.symbol << " (" << k.rootOp << ")\n\n";
    os << "| median (ms) | memory (KiB) | config |\n|---|---|---|\n";
    for (const TrialSummary *t : paretoFront(k))
      os << "| " << ms(t->medianNs) << " | " << kib(t->memoryBytes) << " | `"
         << t->config << "`"
         << (t->config == k.defaultConfig ? " (default)" : "") << " |\n";
    int failedCount = 0;
    for (const TrialSummary &t : k.trials)
      failedCount += t.status != "ok";
    if (failedCount)
      os << "\n"
         << failedCount
         << " trials failed (build-failed, run-failed or wrong-output; see "
            "report.json).\n";
  }
  return s;
}

std::string anvil::autotune::convergenceSvg(const TuneSummary &summary) {
  struct Line {
    std::string label;
    std::vector<double> y;
  };
  std::vector<Line> lines;
  for (const KernelSummary &k : summary.kernels) {
    if (!tuned(k))
      continue;
    for (const std::string &s : strategiesOf(k)) {
      std::vector<double> y = curve(k, s);
      if (y.size() > 1)
        lines.push_back({k.symbol + " (" + s + ")", std::move(y)});
    }
  }
  const double width = 720, height = 420, left = 60, right = 220, top = 30,
               bottom = 50;
  double plotW = width - left - right, plotH = height - top - bottom;
  size_t maxX = 1;
  double maxY = 1.1;
  for (const Line &l : lines) {
    maxX = std::max(maxX, l.y.size() - 1);
    for (double v : l.y)
      maxY = std::max(maxY, v);
  }
  maxY = std::ceil(maxY * 10) / 10;
  auto px = [&](double x) { return left + plotW * x / (double)maxX; };
  auto py = [&](double y) { return top + plotH * (1 - (y - 1) / (maxY - 1)); };
  static const char *const colors[] = {"#1f77b4", "#d62728", "#2ca02c",
                                       "#ff7f0e", "#9467bd", "#8c564b",
                                       "#e377c2", "#17becf"};
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width
     << "\" height=\"" << height << "\" viewBox=\"0 0 " << width << " "
     << height << "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  os << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  os << "<text x=\"" << left << "\" y=\"18\" font-size=\"14\">"
     << "Best speed-up over the default so far</text>\n";
  // Axes, ticks and grid.
  os << "<line x1=\"" << left << "\" y1=\"" << top + plotH << "\" x2=\""
     << left + plotW << "\" y2=\"" << top + plotH << "\" stroke=\"black\"/>\n";
  os << "<line x1=\"" << left << "\" y1=\"" << top << "\" x2=\"" << left
     << "\" y2=\"" << top + plotH << "\" stroke=\"black\"/>\n";
  for (int i = 0; i <= 5; ++i) {
    double y = 1 + (maxY - 1) * i / 5;
    os << llvm::formatv("<line x1=\"{0}\" y1=\"{1:F1}\" x2=\"{2}\" "
                        "y2=\"{1:F1}\" stroke=\"#ddd\"/>\n",
                        left, py(y), left + plotW);
    os << llvm::formatv("<text x=\"{0}\" y=\"{1:F1}\" "
                        "text-anchor=\"end\">{2:F2}x</text>\n",
                        left - 6, py(y) + 4, y);
  }
  size_t step = std::max<size_t>(1, (maxX + 7) / 8);
  for (size_t x = 0; x <= maxX; x += step)
    os << llvm::formatv("<text x=\"{0:F1}\" y=\"{1}\" "
                        "text-anchor=\"middle\">{2}</text>\n",
                        px((double)x), top + plotH + 16, x);
  os << "<text x=\"" << left + plotW / 2 << "\" y=\"" << height - 12
     << "\" text-anchor=\"middle\">trial</text>\n";
  for (size_t i = 0; i < lines.size(); ++i) {
    const char *color = colors[i % 8];
    os << "<polyline fill=\"none\" stroke=\"" << color
       << "\" stroke-width=\"2\" points=\"";
    for (size_t x = 0; x < lines[i].y.size(); ++x)
      os << llvm::formatv("{0:F1},{1:F1} ", px((double)x), py(lines[i].y[x]));
    os << "\"/>\n";
    double ly = top + 14 + 18.0 * (double)i;
    os << llvm::formatv("<line x1=\"{0}\" y1=\"{1:F1}\" x2=\"{2}\" "
                        "y2=\"{1:F1}\" stroke=\"{3}\" stroke-width=\"2\"/>\n",
                        left + plotW + 12, ly, left + plotW + 32, color);
    os << llvm::formatv("<text x=\"{0}\" y=\"{1:F1}\">{2}</text>\n",
                        left + plotW + 38, ly + 4, escapeXml(lines[i].label));
  }
  if (lines.empty())
    os << "<text x=\"" << left + 20 << "\" y=\"" << top + plotH / 2
       << "\">no kernel was tuned</text>\n";
  os << "</svg>\n";
  return s;
}

bool anvil::autotune::writeReport(const TuneSummary &summary,
                                  const std::string &dir, std::string &error) {
  if (std::error_code ec = llvm::sys::fs::create_directories(dir)) {
    error = "--report: cannot make '" + dir + "': " + ec.message();
    return false;
  }
  std::pair<const char *, std::string> files[] = {
      {"report.json", reportJson(summary)},
      {"report.md", reportMarkdown(summary)},
      {"convergence.svg", convergenceSvg(summary)},
  };
  for (auto &[name, text] : files) {
    std::string path = dir + "/" + name;
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    if (!ec) {
      os << text;
      os.close();
      if (!os.has_error())
        continue;
      os.clear_error();
    }
    error = "--report: cannot write '" + path + "'";
    return false;
  }
  return true;
}
