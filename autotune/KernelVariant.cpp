//===- KernelVariant.cpp - One kernel of a model, built alone -------------===//
#include "autotune/KernelVariant.h"
#include "dialects/Kernel/KernelDialect.h"
#include "tools/anvil-compile/Driver.h"

#include "mlir/Analysis/SliceAnalysis.h"
#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/StringSet.h"

#include <thread>

using namespace mlir;
using namespace anvil;
using namespace anvil::autotune;

namespace {

/// The model function of a kernels-stage module: the function without a
/// TuningConfig.
func::FuncOp modelFunction(ModuleOp module) {
  for (auto fn : module.getOps<func::FuncOp>())
    if (!fn->hasAttr(kernel::kTuningAttrName) && !fn.isExternal())
      return fn;
  return nullptr;
}

std::string inputName(func::FuncOp fn, unsigned i) {
  auto name = fn.getArgAttrOfType<StringAttr>(i, "anvil.name");
  return name ? name.str() : "input" + std::to_string(i);
}

/// The buffer `v` views (through subviews, reshapes and casts).
Value rootOf(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    auto view = dyn_cast<ViewLikeOpInterface>(def);
    if (!view)
      break;
    v = view.getViewSource();
  }
  return v;
}

/// The arguments of `kernel` that it writes (any op with a write effect on a
/// view of one; an op that does not say what it does writes all it touches).
llvm::SmallBitVector writtenArguments(func::FuncOp kernel) {
  llvm::SmallBitVector written(kernel.getNumArguments());
  auto mark = [&](Value v) {
    if (auto arg = dyn_cast<BlockArgument>(rootOf(v));
        arg && arg.getOwner() == &kernel.front())
      written.set(arg.getArgNumber());
  };
  kernel.walk([&](Operation *op) {
    if (isa<linalg::LinalgOp>(op->getParentOp()))
      return WalkResult::skip();
    auto effects = dyn_cast<MemoryEffectOpInterface>(op);
    if (!effects) {
      if (!op->hasTrait<OpTrait::HasRecursiveMemoryEffects>())
        for (Value operand : op->getOperands())
          if (isa<MemRefType>(operand.getType()))
            mark(operand);
      return WalkResult::advance();
    }
    SmallVector<MemoryEffects::EffectInstance> instances;
    effects.getEffects(instances);
    for (auto &instance : instances)
      if (isa<MemoryEffects::Write>(instance.getEffect())) {
        if (Value v = instance.getValue())
          mark(v);
        else
          for (Value operand : op->getOperands())
            if (isa<MemRefType>(operand.getType()))
              mark(operand);
      }
    return WalkResult::advance();
  });
  return written;
}

/// The arguments of `kernel` that hold a convolution's output no later kernel
/// reads (kScratchOutputAttrName): depending on the config, the kernel keeps
/// its blocks in a scratch buffer and leaves them unwritten, so they are no
/// output to compare.
llvm::SmallBitVector scratchArguments(func::FuncOp kernel) {
  llvm::SmallBitVector scratch(kernel.getNumArguments());
  kernel.walk([&](linalg::LinalgOp op) {
    if (!op->hasAttr(kernel::kScratchOutputAttrName))
      return;
    if (auto arg =
            dyn_cast<BlockArgument>(rootOf(op.getDpsInitOperand(0)->get()));
        arg && arg.getOwner() == &kernel.front())
      scratch.set(arg.getArgNumber());
  });
  return scratch;
}

/// The arguments of `kernel` (run by a dispatch on `args`) whose buffers it
/// reads before it has written all of them: a convolution that accumulates
/// into an output an earlier kernel initialized (its bias), a pooling into
/// the interior of a padded buffer. Run alone, such a buffer would hold
/// whatever the last run left in it, so each run must start it from the same
/// contents. Buffers are the dispatch arguments' allocations (two arguments
/// may view one); a write covers one only through an argument that views
/// all of it.
llvm::SmallBitVector argumentsReadFirst(func::FuncOp kernel, ValueRange args) {
  unsigned n = kernel.getNumArguments();
  llvm::SmallBitVector readFirst(n);
  llvm::SmallPtrSet<Value, 8> covered;
  auto argumentOf = [&](Value v) -> int {
    auto arg = dyn_cast<BlockArgument>(rootOf(v));
    return arg && arg.getOwner() == &kernel.front() &&
                   arg.getArgNumber() < args.size()
               ? (int)arg.getArgNumber()
               : -1;
  };
  auto read = [&](Value v) {
    if (int i = argumentOf(v); i >= 0 && !covered.contains(rootOf(args[i])))
      readFirst.set(i);
  };
  auto overwrite = [&](Value v) {
    int i = argumentOf(v);
    if (i < 0 || v != kernel.getArgument(i))
      return;
    // Casts and reshapes view all of a buffer; a subview, part of it.
    Value view = args[i];
    while (Operation *def = view.getDefiningOp()) {
      if (!isa<memref::CastOp, memref::ExpandShapeOp, memref::CollapseShapeOp>(
              def))
        break;
      view = def->getOperand(0);
    }
    if (view == rootOf(args[i]))
      covered.insert(view);
  };
  for (Operation &op : kernel.front()) {
    if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
      for (OpOperand *in : linalgOp.getDpsInputOperands())
        read(in->get());
      for (OpOperand &init : linalgOp.getDpsInitsMutable())
        if (linalgOp.payloadUsesValueFromOperand(&init))
          read(init.get());
      for (OpOperand &init : linalgOp.getDpsInitsMutable())
        if (!linalgOp.payloadUsesValueFromOperand(&init))
          overwrite(init.get());
      continue;
    }
    if (auto copy = dyn_cast<memref::CopyOp>(op)) {
      read(copy.getSource());
      overwrite(copy.getTarget());
      continue;
    }
    if (isa<ViewLikeOpInterface, memref::DimOp>(op) || isMemoryEffectFree(&op))
      continue;
    for (Value v : op.getOperands())
      if (isa<MemRefType>(v.getType()))
        read(v);
  }
  return readFirst;
}

/// Marks the kernels seedKernel makes (not the kernel being tuned).
constexpr StringLiteral kSeedAttrName = "anvil_tune.seed";

/// A kernel that copies its first argument into its second, in one
/// workgroup: it seeds the buffers of argumentsReadFirst before each run of
/// a standalone kernel.
func::FuncOp seedKernel(OpBuilder &b, Location loc, MemRefType type,
                        StringRef name) {
  MLIRContext *ctx = b.getContext();
  auto fn = func::FuncOp::create(
      b, loc, name,
      b.getFunctionType({type, type, b.getIndexType(), b.getIndexType()}, {}));
  std::string why;
  fn->setAttr(kernel::kTuningAttrName,
              cpu::parseTuningConfig(ctx,
                                     "#anvil_kernel.tuning<distribute_dim = "
                                     "-1, tile_sizes = [], loop_order = []>",
                                     why));
  fn->setAttr("llvm.emit_c_interface", UnitAttr::get(ctx));
  fn->setAttr(kSeedAttrName, UnitAttr::get(ctx));
  Block *entry = fn.addEntryBlock();
  OpBuilder kb = OpBuilder::atBlockBegin(entry);
  linalg::CopyOp::create(kb, loc, entry->getArgument(0), entry->getArgument(1));
  func::ReturnOp::create(kb, loc);
  return fn;
}

/// Gives the model function's inputs the static shapes of `bindings` (1 for
/// every symbolic dim not bound), then folds the sizes computed from them,
/// so that every buffer the host allocates gets a static size.
LogicalResult bindInputs(func::FuncOp fn, const ShapeBindings &bindings) {
  OpBuilder b(fn.getContext());
  b.setInsertionPointToStart(&fn.front());
  SmallVector<Type> inputs;
  for (BlockArgument arg : fn.getArguments()) {
    auto type = dyn_cast<MemRefType>(arg.getType());
    if (!type || type.hasStaticShape()) {
      inputs.push_back(arg.getType());
      continue;
    }
    auto bound = bindings.find(inputName(fn, arg.getArgNumber()));
    SmallVector<int64_t> shape(type.getShape());
    for (auto [d, size] : llvm::enumerate(shape))
      if (ShapedType::isDynamic(size))
        size = bound == bindings.end() ? 1 : bound->second[d];
    auto staticType =
        MemRefType::get(shape, type.getElementType(),
                        MemRefLayoutAttrInterface(), type.getMemorySpace());
    arg.setType(staticType);
    auto cast = memref::CastOp::create(b, fn.getLoc(), type, arg);
    arg.replaceAllUsesExcept(cast, cast);
    inputs.push_back(staticType);
  }
  fn.setFunctionType(
      FunctionType::get(fn.getContext(), inputs, fn.getResultTypes()));
  MLIRContext *ctx = fn.getContext();
  RewritePatternSet patterns(ctx);
  cpu::populateAllCanonicalizationPatterns(patterns);
  // Not converging within the driver's limits leaves sizes unfolded, which
  // the caller reports if they matter.
  (void)applyPatternsGreedily(fn.getOperation(), std::move(patterns));
  return success();
}

/// The extent of each loop of `root` (a kernel called by `dispatch`), with a
/// symbolic one read from the static type of the buffer the dispatch passes
/// (1 when none is static).
std::vector<int64_t> boundExtents(linalg::LinalgOp root,
                                  kernel::DispatchOp dispatch) {
  std::vector<int64_t> extents;
  auto kernel = root->getParentOfType<func::FuncOp>();
  for (auto [dim, extent] : llvm::enumerate(root.getStaticLoopRanges())) {
    if (!ShapedType::isDynamic(extent)) {
      extents.push_back(extent);
      continue;
    }
    int64_t bound = ShapedType::kDynamic;
    AffineExpr loop = getAffineDimExpr(dim, root.getContext());
    for (OpOperand &operand : root->getOpOperands()) {
      auto arg = dyn_cast<BlockArgument>(operand.get());
      if (!arg || arg.getOwner() != &kernel.front() ||
          !ShapedType::isDynamic(bound))
        continue;
      for (auto [pos, e] :
           llvm::enumerate(root.getMatchingIndexingMap(&operand).getResults()))
        if (e == loop) {
          Value v = dispatch.getArgs()[arg.getArgNumber()];
          // The static size before the casts back to the kernel's types.
          while (true) {
            auto type = cast<MemRefType>(v.getType());
            if (!type.isDynamicDim(pos)) {
              bound = type.getDimSize(pos);
              break;
            }
            auto cast = v.getDefiningOp<memref::CastOp>();
            if (!cast)
              break;
            v = cast.getSource();
          }
        }
    }
    extents.push_back(ShapedType::isDynamic(bound) ? 1 : bound);
  }
  return extents;
}

KernelKind kindOf(linalg::LinalgOp root) {
  if (isa<linalg::MatmulOp>(root))
    return KernelKind::Matmul;
  if (isa<linalg::Conv2DNhwcHwcfOp>(root))
    return KernelKind::ConvNhwc;
  // Max pooling has a depthwise conv's loops and register tile.
  if (cpu::hasPixelTile(root))
    return KernelKind::DepthwiseNhwc;
  if (cpu::batchMatmulDims(root))
    return KernelKind::BatchMatmul;
  return KernelKind::Other;
}

KernelConfig plainConfig(kernel::TuningConfigAttr attr) {
  KernelConfig c;
  if (!attr)
    return c;
  c.distributeDim = attr.getDistributeDim();
  c.tileSizes.assign(attr.getTileSizes().begin(), attr.getTileSizes().end());
  c.loopOrder.assign(attr.getLoopOrder().begin(), attr.getLoopOrder().end());
  c.vectorSizes.assign(attr.getVectorSizes().begin(),
                       attr.getVectorSizes().end());
  return c;
}

} // namespace

LogicalResult autotune::checkBindings(ModuleOp module,
                                      const ShapeBindings &bindings,
                                      std::string &error) {
  func::FuncOp fn = modelFunction(module);
  if (!fn) {
    error = "the module has no model function";
    return failure();
  }
  for (const auto &[name, dims] : bindings) {
    std::optional<unsigned> found;
    for (unsigned i = 0; i < fn.getNumArguments(); ++i)
      if (inputName(fn, i) == name)
        found = i;
    if (!found) {
      error = "--shape " + name + ": the model has no input '" + name + "'";
      return failure();
    }
    auto type = cast<MemRefType>(fn.getArgument(*found).getType());
    if ((int64_t)dims.size() != type.getRank()) {
      error = "--shape " + name + ": " + std::to_string(dims.size()) +
              " dims given, but the input has rank " +
              std::to_string(type.getRank());
      return failure();
    }
    for (auto [d, size] : llvm::enumerate(dims))
      if (size < 1 || (!type.isDynamicDim(d) && type.getDimSize(d) != size)) {
        error = "--shape " + name + ": dim " + std::to_string(d) + " is " +
                (type.isDynamicDim(d)
                     ? std::string("symbolic and must be at least 1")
                     : std::to_string(type.getDimSize(d))) +
                ", not " + std::to_string(size);
        return failure();
      }
  }
  return success();
}

FailureOr<StandaloneKernel>
autotune::extractKernel(ModuleOp module, const cpu::KernelDescription &kernel,
                        const ShapeBindings &bindings, std::string &error) {
  OwningOpRef<ModuleOp> copy = module.clone();
  func::FuncOp host = modelFunction(*copy);
  func::FuncOp original = kernel.function;
  std::string kernelName = original.getSymName().str();
  auto fn = copy->lookupSymbol<func::FuncOp>(kernelName);
  auto fail = [&](const Twine &why) {
    error = ("@" + Twine(kernelName) + ": " + why).str();
    return failure();
  };
  if (!host || !fn)
    return fail("the module has no model function or no such kernel");
  std::string messages;
  if (failed(cpu::collectErrors(copy->getContext(), messages,
                                [&] { return bindInputs(host, bindings); })))
    return fail("cannot bind the input shapes: " + messages);
  kernel::DispatchOp dispatch;
  host.walk([&](kernel::DispatchOp op) {
    if (!dispatch && op.getKernel() == kernelName)
      dispatch = op;
  });
  if (!dispatch)
    return fail("no dispatch runs it");

  // Which buffers become inputs (read only) and outputs (written and
  // compared; a scratch output stays a buffer of the standalone model); a
  // written buffer the kernel reads first is also an input, copied into its
  // buffer before each run (a seed), so that every run starts from the same
  // contents (a conv accumulating into an output an earlier kernel
  // initialized would otherwise add onto its previous run's result).
  llvm::SmallBitVector written = writtenArguments(fn),
                       scratch = scratchArguments(fn),
                       readFirst = argumentsReadFirst(fn, dispatch.getArgs());
  llvm::SetVector<Value> roots, writtenRoots, outputRoots, seededRoots;
  for (auto [i, arg] : llvm::enumerate(dispatch.getArgs())) {
    Value root = rootOf(arg);
    roots.insert(root);
    if (written.test(i))
      writtenRoots.insert(root);
  }
  for (auto [i, arg] : llvm::enumerate(dispatch.getArgs()))
    if (written.test(i) && !scratch.test(i))
      outputRoots.insert(rootOf(arg));
  for (auto [i, arg] : llvm::enumerate(dispatch.getArgs()))
    if (readFirst.test(i) && writtenRoots.contains(rootOf(arg)))
      seededRoots.insert(rootOf(arg));
  SmallVector<Value> inputRoots;
  for (Value root : roots) {
    Operation *def = root.getDefiningOp();
    if (isa_and_nonnull<memref::GetGlobalOp>(def))
      continue;
    bool isAlloc = isa_and_nonnull<memref::AllocOp, memref::AllocaOp>(def);
    if (!isAlloc && !isa<BlockArgument>(root))
      return fail("a buffer it uses has no known origin");
    if (writtenRoots.contains(root)) {
      if (!isAlloc)
        return fail("it writes a model input");
      if (seededRoots.contains(root) &&
          !cast<MemRefType>(root.getType()).hasStaticShape())
        return fail("a buffer it updates has a size the input shapes do not "
                    "fix");
      continue;
    }
    if (!cast<MemRefType>(root.getType()).hasStaticShape())
      return fail("a buffer it reads has a size the input shapes do not fix");
    inputRoots.push_back(root);
  }

  // The new model function: the dispatch and what computes its operands.
  OpBuilder b(copy->getContext());
  b.setInsertionPointToEnd(copy->getBody());
  SmallVector<Type> inputTypes, outputTypes;
  for (Value root : inputRoots)
    inputTypes.push_back(root.getType());
  for (Value root : seededRoots)
    inputTypes.push_back(root.getType());
  for (Value root : outputRoots)
    outputTypes.push_back(root.getType());
  auto standalone =
      func::FuncOp::create(b, host.getLoc(), "anvil_tune_main",
                           b.getFunctionType(inputTypes, outputTypes));
  Block *body = standalone.addEntryBlock();
  IRMapping mapping;
  for (auto [i, root] : llvm::enumerate(inputRoots)) {
    mapping.map(root, body->getArgument(i));
    std::string name = "buffer" + std::to_string(i);
    if (auto arg = dyn_cast<BlockArgument>(root)) {
      name = inputName(host, arg.getArgNumber());
      if (auto type = host.getArgAttr(arg.getArgNumber(), "anvil.element_type"))
        standalone.setArgAttr(i, "anvil.element_type", type);
    }
    standalone.setArgAttr(i, "anvil.name", b.getStringAttr(name));
  }
  for (size_t i = 0; i < seededRoots.size(); ++i)
    standalone.setArgAttr(inputRoots.size() + i, "anvil.name",
                          b.getStringAttr("seed" + std::to_string(i)));
  for (size_t i = 0; i < outputRoots.size(); ++i)
    standalone.setResultAttr(i, "anvil.name",
                             b.getStringAttr("output" + std::to_string(i)));
  SetVector<Operation *> slice;
  BackwardSliceOptions options;
  options.omitBlockArguments = true;
  options.filter = [&](Operation *op) {
    return op->getNumResults() == 0 || !mapping.contains(op->getResult(0));
  };
  (void)getBackwardSlice(dispatch.getOperation(), &slice, options);
  b.setInsertionPointToStart(body);
  for (Operation *op : slice)
    b.clone(*op, mapping);
  SmallVector<func::FuncOp> seeds;
  for (auto [i, root] : llvm::enumerate(seededRoots)) {
    OpBuilder mb(copy->getContext());
    mb.setInsertionPoint(standalone);
    std::string name = "anvil_tune_seed" + std::to_string(i);
    seeds.push_back(
        seedKernel(mb, host.getLoc(), cast<MemRefType>(root.getType()), name));
    kernel::DispatchOp::create(
        b, host.getLoc(), FlatSymbolRefAttr::get(b.getContext(), name),
        ValueRange{body->getArgument(inputRoots.size() + i),
                   mapping.lookup(root)},
        Value());
  }
  auto newDispatch = cast<kernel::DispatchOp>(b.clone(*dispatch, mapping));
  SmallVector<Value> results;
  for (Value root : outputRoots)
    results.push_back(mapping.lookup(root));
  func::ReturnOp::create(b, host.getLoc(), results);

  // Only this kernel, the new host and the weights it reads stay.
  std::string hostName = host.getSymName().str();
  llvm::StringSet<> globals;
  standalone.walk(
      [&](memref::GetGlobalOp get) { globals.insert(get.getName()); });
  for (Operation &op :
       llvm::make_early_inc_range(copy->getBody()->getOperations())) {
    if (auto other = dyn_cast<func::FuncOp>(op)) {
      if (other != fn && other != standalone &&
          !llvm::is_contained(seeds, other))
        op.erase();
    } else if (auto global = dyn_cast<memref::GlobalOp>(op)) {
      if (!globals.contains(global.getSymName()))
        op.erase();
    }
  }
  standalone.setSymName(hostName);

  StandaloneKernel result;
  linalg::LinalgOp root = cpu::kernelRoot(fn);
  result.shape.kind = kindOf(root);
  if (std::optional<cpu::BatchMatmulDims> bm = cpu::batchMatmulDims(root))
    result.shape.matmulLoops = {bm->m, bm->n, bm->k};
  result.shape.extents = boundExtents(root, newDispatch);
  result.shape.distributeDims.assign(kernel.distributeDims.begin(),
                                     kernel.distributeDims.end());
  if (auto factor =
          root->getAttrOfType<IntegerAttr>(kernel::kDistributeFactorAttrName))
    result.shape.splitFactor = factor.getInt();
  result.shape.defaultConfig = plainConfig(
      fn->getAttrOfType<kernel::TuningConfigAttr>(kernel::kTuningAttrName));
  result.module = std::move(copy);
  return result;
}

std::string autotune::toBytecode(ModuleOp module) {
  std::string bytes;
  llvm::raw_string_ostream os(bytes);
  (void)writeBytecodeToFile(module, os);
  os.flush();
  return bytes;
}

VariantCompiler::~VariantCompiler() = default;

std::unique_ptr<VariantCompiler>
VariantCompiler::create(std::shared_ptr<const std::string> bytecode,
                        std::string cpu, unsigned optLevel,
                        std::string &error) {
  std::unique_ptr<VariantCompiler> c(new VariantCompiler());
  c->bytecode = std::move(bytecode);
  c->cpu = std::move(cpu);
  c->optLevel = optLevel;
  DialectRegistry registry;
  compile::registerPipelineDialects(registry);
  c->context =
      std::make_unique<MLIRContext>(registry, MLIRContext::Threading::DISABLED);
  c->context->loadAllAvailableDialects();
  std::string messages;
  c->base = cpu::collectErrors(c->context.get(), messages, [&] {
    return parseSourceString<ModuleOp>(*c->bytecode,
                                       ParserConfig(c->context.get()));
  });
  if (!c->base) {
    error = "cannot read the kernel's module back: " + messages;
    return nullptr;
  }
  for (auto fn : c->base->getOps<func::FuncOp>())
    if (fn->hasAttr(kernel::kTuningAttrName) && !fn->hasAttr(kSeedAttrName))
      c->kernelName = fn.getSymName().str();
  return c;
}

bool VariantCompiler::build(const std::string &config, const std::string &path,
                            std::string &error) {
  return buildWith({{kernelName, config}}, path, error);
}

bool VariantCompiler::buildWith(
    const std::map<std::string, std::string> &configs, const std::string &path,
    std::string &error) {
  MLIRContext *ctx = context.get();
  OwningOpRef<ModuleOp> module = base->clone();
  for (auto &[symbol, config] : configs) {
    auto fn = module->lookupSymbol<func::FuncOp>(symbol);
    std::string why;
    kernel::TuningConfigAttr attr = cpu::parseTuningConfig(ctx, config, why);
    std::string who = configs.size() > 1 ? symbol + ": " : "";
    if (!fn) {
      error = "no kernel '" + symbol + "'";
      return false;
    }
    if (!attr) {
      error = who + "cannot parse the config: " + why;
      return false;
    }
    if (failed(cpu::replaceTuningConfig(*module, fn, attr, why))) {
      error = who + "the kernel rejects it: " + why;
      return false;
    }
  }
  std::string messages, backend;
  compile::PipelineOptions options;
  LogicalResult built = cpu::collectErrors(ctx, messages, [&] {
    return compile::buildArtifact(*module, options, cpu, optLevel, path,
                                  backend);
  });
  if (failed(built)) {
    error = "compilation failed: " + (backend.empty() ? messages
                                      : messages.empty()
                                          ? backend
                                          : messages + "; " + backend);
    return false;
  }
  return true;
}

std::vector<std::string> autotune::buildInParallel(
    std::vector<std::unique_ptr<VariantCompiler>> &compilers, size_t count,
    const std::function<std::string(VariantCompiler &, size_t)> &build) {
  std::vector<std::string> errors(count);
  size_t width = std::max<size_t>(compilers.size(), 1);
  for (size_t start = 0; start < count; start += width) {
    size_t end = std::min(count, start + width);
    auto work = [&](size_t i) { errors[i] = build(*compilers[i - start], i); };
    if (end - start == 1) {
      work(start);
      continue;
    }
    std::vector<std::thread> threads;
    for (size_t i = start; i < end; ++i)
      threads.emplace_back(work, i);
    for (std::thread &t : threads)
      t.join();
  }
  return errors;
}
