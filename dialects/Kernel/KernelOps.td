//===- KernelOps.td - Dispatch-level ops and the TuningConfig -*- tablegen -*-===//
//
// After partitioning, the model's host function is a schedule of dispatches over
// buffers, and each dispatch names a kernel function whose TuningConfig says how
// it is tiled and spread over workgroups. These are the ops and attributes that
// carry that structure.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_KERNEL_OPS_TD
#define ANVIL_KERNEL_OPS_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/SymbolInterfaces.td"

def Kernel_Dialect : Dialect {
  let name = "anvil_kernel";
  let cppNamespace = "::anvil::kernel";
  let summary = "Dispatches, kernels and their tuning configurations.";
  let description = [{
    A *kernel* is a `func.func` over memrefs plus two trailing `index` arguments, the
    workgroup id and the workgroup count; running it for every id in `[0, count)`
    computes the whole result. The host function calls kernels with
    `anvil_kernel.dispatch`. Every kernel carries an `anvil_kernel.tuning` attribute:
    the knobs that the heuristics fill and the autotuner searches.

    ```mlir
    func.func @anvil_kernel_0(%a: memref<?x64xf32>, %b: memref<?x64xf32>,
                              %wg: index, %nwg: index)
        attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = 0, tile_sizes = [], loop_order = []>}
    ```
  }];
  let useDefaultAttributePrinterParser = 1;
}

def Kernel_TuningConfigAttr : AttrDef<Kernel_Dialect, "TuningConfig"> {
  let mnemonic = "tuning";
  let summary = "How one kernel is tiled and spread over workgroups.";
  let description = [{
    `distribute_dim` is the loop of the kernel's root op that is split into one
    contiguous chunk per workgroup (-1: the kernel runs as one workgroup).
    `tile_sizes` tiles the root op's loops inside a workgroup (one entry per loop,
    0 = not tiled; empty = no tiling), which is where cache blocking happens.
    `loop_order` permutes the loops of the innermost tile (a permutation of the
    root op's loops, outermost first; empty = the op's own order); putting a
    unit-stride parallel loop innermost is what lets LLVM vectorize it.
    `vector_sizes` (optional) is the register tile of a matmul, `[rows, columns, 1]`:
    each cache tile is cut into tiles of this shape, each becomes a `vector.contract`
    whose accumulator stays in registers across the reduction loop and is lowered to
    broadcast FMAs (`loop_order` then only orders the register tiles of cache
    blocks, below); the smaller tiles at the edges too when their sizes are static
    (otherwise they stay scalar). For a channels-last
    convolution it is the register tile of the `[OW x C] x [C x F]` matmul that each
    output row and filter tap becomes; for a channels-last depthwise convolution it
    is `[pixels, channels]` of one output row, one accumulator vector per pixel kept
    in registers across the filter window; for a batched matmul (`C[b.., m, n] +=
    A[b.., m, k] * B[b.., k, n]`, attention's products) it is the register tile of the
    matmul of each batch element.
    With `vector_sizes`, the `tile_sizes` of a matmul (`[mc, nc, kc]`) or of a
    channels-last convolution (`[0, 0, 0, nc, 0, 0, kc]`: output and input channels)
    are cache blocks: each `[kc x nc]` block of the weights is packed, at run time,
    into contiguous `[kc x columns]` panels on the stack (at most nc*kc elements),
    which the register tiles then stream; `nc` is a multiple of the columns. With
    cache blocks, `loop_order` orders the two loops over a block's register tiles:
    `[]` or `[1, 0]`, panels outer (each panel meets every row tile of the block
    in turn: the panel stays in L1 when it fits), or `[0, 1]`, row tiles outer
    (each row tile of A meets every panel: the row tile stays in L1), which
    needs cache blocks; a matmul whose workgroup has fewer than 16 rows runs
    unpacked, where the order changes nothing. A depthwise convolution's (or max
    pooling's) `loop_order` orders its register tiles: `[]` or `[0, 1]`, a row's
    pixel tiles outer and its channel tiles inner, or `[1, 0]`, the channel tiles
    outside the output rows. Any other `loop_order` with `vector_sizes` is an
    error.

    ```mlir
    #anvil_kernel.tuning<distribute_dim = 0, tile_sizes = [32, 256, 64], loop_order = [0, 2, 1]>
    ```
  }];
  let parameters = (ins "int64_t":$distribute_dim,
                        ArrayRefParameter<"int64_t">:$tile_sizes,
                        ArrayRefParameter<"int64_t">:$loop_order,
                        OptionalArrayRefParameter<"int64_t">:$vector_sizes);
  let builders = [
    AttrBuilder<(ins "int64_t":$distribute_dim, "::llvm::ArrayRef<int64_t>":$tile_sizes,
                     "::llvm::ArrayRef<int64_t>":$loop_order), [{
      return $_get($_ctxt, distribute_dim, tile_sizes, loop_order,
                   ::llvm::ArrayRef<int64_t>());
    }]>
  ];
  let assemblyFormat = [{
    `<` `distribute_dim` `=` $distribute_dim `,` `tile_sizes` `=`
    custom<IntList>($tile_sizes) `,` `loop_order` `=` custom<IntList>($loop_order)
    (`,` `vector_sizes` `=` custom<IntList>($vector_sizes)^)? `>`
  }];
}

class Kernel_Op<string mnemonic, list<Trait> traits = []>
    : Op<Kernel_Dialect, mnemonic, traits>;

def Kernel_DispatchOp : Kernel_Op<"dispatch",
    [AttrSizedOperandSegments, DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "Runs a kernel over a workgroup grid on buffers of the host schedule.";
  let description = [{
    Calls kernel `$kernel` with `$args` (the memrefs it reads and writes, in the
    kernel's argument order). When the kernel's TuningConfig distributes a loop,
    `grid` is that loop's extent; the runtime splits it into at most that many
    workgroups.

    ```mlir
    anvil_kernel.dispatch @anvil_kernel_3(%x, %w, %y) grid(%n)
        : memref<?x64xf32>, memref<64x10xf32>, memref<?x10xf32>
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$kernel, Variadic<AnyMemRef>:$args,
                       Optional<Index>:$grid);
  let assemblyFormat = [{
    $kernel `(` $args `)` (`grid` `(` $grid^ `)`)? attr-dict `:` type($args)
  }];
}

#endif // ANVIL_KERNEL_OPS_TD
