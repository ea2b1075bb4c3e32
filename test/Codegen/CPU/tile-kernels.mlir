// RUN: anvil-opt %s -split-input-file -pass-pipeline='builtin.module(func.func(anvil-tile-kernels))' -verify-diagnostics | FileCheck %s

// distribute_dim = 0: each workgroup computes rows
// [wg * ceildiv(n, count), min(n, (wg + 1) * ceildiv(n, count))).
// CHECK-LABEL: func.func @kernel
// CHECK-SAME: %[[WG:[a-z0-9]+]]: index, %[[COUNT:[a-z0-9]+]]: index
// CHECK: %[[N:.+]] = memref.dim
// CHECK: %[[CHUNK:.+]] = arith.ceildivui %[[N]], %[[COUNT]]
// CHECK: %[[BEGIN:.+]] = arith.muli %[[WG]], %[[CHUNK]]
// CHECK: %[[NEXT:.+]] = arith.addi %[[BEGIN]], %[[CHUNK]]
// CHECK: %[[END:.+]] = arith.minui %{{.+}}, %[[NEXT]]
// CHECK: scf.for %{{.+}} = %[[BEGIN]] to %[[END]] step %[[CHUNK]]
// CHECK: linalg.generic
func.func @kernel(%a: memref<?x8xf32>, %b: memref<?x8xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = 0, tile_sizes = [], loop_order = []>} {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%a : memref<?x8xf32>) outs(%b : memref<?x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %e = math.exp %in : f32
    linalg.yield %e : f32
  }
  return
}

// -----

// tile_sizes tile the workgroup's chunk further (cache blocking).
// CHECK-LABEL: func.func @kernel
// CHECK: scf.for
// CHECK: scf.for %{{.+}} = %{{.+}} to %{{.+}} step %c16
// CHECK: scf.for %{{.+}} = %{{.+}} to %{{.+}} step %c32
// CHECK: linalg.matmul
func.func @kernel(%a: memref<?x64xf32>, %b: memref<64x64xf32>, %c: memref<?x64xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = 0, tile_sizes = [0, 16, 32], loop_order = []>} {
  linalg.matmul ins(%a, %b : memref<?x64xf32>, memref<64x64xf32>) outs(%c : memref<?x64xf32>)
  return
}

// -----

// Functions without a TuningConfig are not kernels: left alone.
// CHECK-LABEL: func.func @not_a_kernel
// CHECK-NOT: scf.for
// CHECK: linalg.fill
func.func @not_a_kernel(%a: memref<8xf32>) {
  %z = arith.constant 0.0 : f32
  linalg.fill ins(%z : f32) outs(%a : memref<8xf32>)
  return
}

// -----

// A config that names a loop the op does not have is an error.
func.func @kernel(%a: memref<8xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = 3, tile_sizes = [], loop_order = []>} {
  %z = arith.constant 0.0 : f32
  // expected-error @below {{TuningConfig distribute_dim 3 is out of range for 1 loops}}
  linalg.fill ins(%z : f32) outs(%a : memref<8xf32>)
  return
}

// -----

// Tile sizes must cover every loop.
func.func @kernel(%a: memref<8x8xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = -1, tile_sizes = [4], loop_order = []>} {
  %z = arith.constant 0.0 : f32
  // expected-error @below {{TuningConfig has 1 tile sizes for 2 loops}}
  linalg.fill ins(%z : f32) outs(%a : memref<8x8xf32>)
  return
}

// -----

// loop_order moves matmul's j loop innermost (after k) so that it vectorizes.
// CHECK-LABEL: func.func @kernel
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "reduction", "parallel"]
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.mulf
// CHECK-NEXT: arith.addf
func.func @kernel(%a: memref<4x8xf32>, %b: memref<8x16xf32>, %c: memref<4x16xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = -1, tile_sizes = [], loop_order = [0, 2, 1]>} {
  linalg.matmul ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>)
  return
}

// -----

// loop_order must be a permutation of the op's loops.
func.func @kernel(%a: memref<4x8xf32>, %b: memref<8x16xf32>, %c: memref<4x16xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = -1, tile_sizes = [], loop_order = [0, 0, 1]>} {
  // expected-error @below {{TuningConfig loop_order is not a permutation of 3 loops}}
  linalg.matmul ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>)
  return
}

// -----

// Splitting the reduction loop would race: workgroups add into the same
// outputs.
func.func @kernel(%a: memref<4x8xf32>, %b: memref<8x16xf32>, %c: memref<4x16xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = 2, tile_sizes = [], loop_order = []>} {
  // expected-error @below {{TuningConfig distribute_dim 2 is a reduction loop; only a parallel loop is split}}
  linalg.matmul ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>)
  return
}

// -----

// A negative tile size is not a tiling.
func.func @kernel(%a: memref<4x8xf32>, %b: memref<8x16xf32>, %c: memref<4x16xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = -1, tile_sizes = [2, -4, 0], loop_order = []>} {
  // expected-error @below {{TuningConfig tile_sizes and vector_sizes must not be negative}}
  linalg.matmul ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>)
  return
}

// -----

// A register tile is unrolled: one far beyond the registers is refused.
func.func @kernel(%a: memref<4x8xf32>, %b: memref<8x16xf32>, %c: memref<4x16xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = -1, tile_sizes = [], loop_order = [], vector_sizes = [128, 1024, 1]>} {
  // expected-error @below {{TuningConfig vector_sizes make a register tile of 131072 elements; at most 4096}}
  linalg.matmul ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>)
  return
}

// -----

// A loop read through floordiv cannot be split: a chunk starting at an unaligned
// offset would read the wrong elements.
#div = affine_map<(d0) -> (d0 floordiv 3)>
#id = affine_map<(d0) -> (d0)>
func.func @kernel(%a: memref<3xf32>, %b: memref<9xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = 0, tile_sizes = [], loop_order = []>} {
  // expected-error @below {{TuningConfig splits or tiles loop 0, which an indexing map reads through floordiv/mod}}
  linalg.generic {indexing_maps = [#div, #id], iterator_types = ["parallel"]}
      ins(%a : memref<3xf32>) outs(%b : memref<9xf32>) {
  ^bb0(%x: f32, %y: f32):
    linalg.yield %x : f32
  }
  return
}

// -----

// A fused kernel: the root (the matmul) is split along its config's loop, and
// every other op along its own `anvil_kernel.distribute_dim` loop, with the
// same chunk, so each workgroup fills, multiplies and applies the epilogue to
// the same 64 / wg_count columns. The epilogue's own loop order is applied.
// CHECK-LABEL: func.func @fused
// CHECK-SAME: %[[WG:[a-z0-9]+]]: index, %[[COUNT:[a-z0-9]+]]: index
// CHECK: %[[C1:.+]] = arith.ceildivui %{{.+}}, %[[COUNT]]
// CHECK: scf.for {{.*}} step %[[C1]]
// CHECK: linalg.fill
// CHECK: %[[C2:.+]] = arith.ceildivui %{{.+}}, %[[COUNT]]
// CHECK: scf.for {{.*}} step %[[C2]]
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction", "parallel"]
// CHECK: %[[C3:.+]] = arith.ceildivui %{{.+}}, %[[COUNT]]
// CHECK: scf.for {{.*}} step %[[C3]]
// CHECK: linalg.generic
// CHECK-NOT: anvil_kernel.root
func.func @fused(%a: memref<8x32xf32>, %b: memref<32x64xf32>, %c: memref<8x64xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = 1, tile_sizes = [], loop_order = [0, 2, 1]>} {
  %zero = arith.constant 0.0 : f32
  linalg.fill {anvil_kernel.distribute_dim = 1 : i64} ins(%zero : f32) outs(%c : memref<8x64xf32>)
  linalg.matmul {anvil_kernel.root} ins(%a, %b : memref<8x32xf32>, memref<32x64xf32>) outs(%c : memref<8x64xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      outs(%c : memref<8x64xf32>) attrs = {anvil_kernel.distribute_dim = 1 : i64} {
  ^bb0(%v: f32):
    %r = arith.maximumf %v, %zero : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// expected-error @below {{a kernel with several linalg ops must mark one 'anvil_kernel.root'}}
func.func @no_root(%a: memref<8xf32>, %b: memref<8xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = -1, tile_sizes = [], loop_order = []>} {
  linalg.copy ins(%a : memref<8xf32>) outs(%b : memref<8xf32>)
  linalg.copy ins(%b : memref<8xf32>) outs(%a : memref<8xf32>)
  return
}

// -----

func.func @split_mismatch(%a: memref<8x64xf32>, %b: memref<8x64xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = 1, tile_sizes = [], loop_order = []>} {
  linalg.copy {anvil_kernel.root} ins(%a : memref<8x64xf32>) outs(%b : memref<8x64xf32>)
  // expected-error @below {{a fused kernel op needs a valid 'anvil_kernel.distribute_dim' matching the root's split}}
  linalg.copy {anvil_kernel.distribute_dim = -1 : i64} ins(%b : memref<8x64xf32>) outs(%a : memref<8x64xf32>)
  return
}

// -----

// A kernel split by images (the grid is the batch) with a matmul over 16 rows
// an image (anvil_kernel.distribute_factor): the workgroup's images,
// ceildiv(rows / 16, wg_count), are computed once; each op runs them one at a
// time as static tiles, the op over [batch, 16, 64] one [1, 16, 64] image,
// the matmul 16 rows (two whole 8-row register tiles) an image.
// CHECK-LABEL: func.func @rows_by_images
// CHECK-SAME: %[[WG:[a-z0-9]+]]: index, %[[COUNT:[a-z0-9]+]]: index
// CHECK: %[[IMAGES:.+]] = arith.divui %{{.+}}, %[[C16:[a-z0-9_]+]] : index
// CHECK: %[[PER:.+]] = arith.ceildivui %[[IMAGES]], %[[COUNT]]
// CHECK: %[[BEGIN1:.+]] = arith.muli %[[WG]], %[[PER]]
// CHECK: scf.for %{{.+}} = %[[BEGIN1]] to %{{.+}} step %c1
// CHECK: memref.subview {{.*}} [1, 16, 64] [1, 1, 1]
// CHECK: linalg.generic
// CHECK: %[[ROWS:.+]] = arith.muli %[[PER]], %[[C16]]
// CHECK: %[[BEGIN2:.+]] = arith.muli %[[WG]], %[[ROWS]]
// CHECK: scf.for %{{.+}} = %[[BEGIN2]] to %{{.+}} step %[[C16]]
// CHECK: memref.subview {{.*}} [16, 64] [1, 1] : memref<?x64xf32> to memref<16x64xf32
// CHECK: vector.fma
func.func @rows_by_images(%x: memref<?x16x64xf32>, %a: memref<?x64xf32>, %w: memref<64x64xf32>, %c: memref<?x64xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = 0, tile_sizes = [], loop_order = [], vector_sizes = [8, 32, 1]>} {
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [affine_map<(b, s, c) -> (b, s, c)>], iterator_types = ["parallel", "parallel", "parallel"]}
      outs(%x : memref<?x16x64xf32>) attrs = {anvil_kernel.distribute_dim = 0 : i64} {
  ^bb0(%v: f32):
    %r = arith.maximumf %v, %zero : f32
    linalg.yield %r : f32
  }
  linalg.matmul {anvil_kernel.root, anvil_kernel.distribute_factor = 16 : i64} ins(%a, %w : memref<?x64xf32>, memref<64x64xf32>) outs(%c : memref<?x64xf32>)
  return
}

// -----

// Chunks of 12 rows an image would start between 8-row register tiles.
func.func @rows_by_images_unaligned(%a: memref<?x64xf32>, %w: memref<64x64xf32>, %c: memref<?x64xf32>, %x: memref<?x12x64xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = 0, tile_sizes = [], loop_order = [], vector_sizes = [8, 32, 1]>} {
  %zero = arith.constant 0.0 : f32
  linalg.fill {anvil_kernel.distribute_dim = 0 : i64} ins(%zero : f32) outs(%x : memref<?x12x64xf32>)
  // expected-error @below {{a workgroup's chunk of 12 elements an image does not start at register tiles of 8}}
  linalg.matmul {anvil_kernel.root, anvil_kernel.distribute_factor = 12 : i64} ins(%a, %w : memref<?x64xf32>, memref<64x64xf32>) outs(%c : memref<?x64xf32>)
  return
}

// -----

// vector_sizes: 8 x 32 register tiles. The full tiles become broadcast FMAs on
// an accumulator carried through the reduction loop (read before it, written
// after it); so do the 4 rows and 6 columns left at the edges, with smaller
// vectors: no scalar matmul is left.
// CHECK-LABEL: func.func @register_tile
// CHECK-NOT: linalg.matmul
// CHECK: scf.for
// CHECK: scf.for
// CHECK: %[[ACC:.+]] = vector.transfer_read
// CHECK: %[[SUM:.+]] = scf.for {{.*}} iter_args(%[[A:.+]] = %[[ACC]]) -> (vector<8x32xf32>)
// CHECK-COUNT-8: vector.fma
// CHECK: scf.yield
// CHECK: vector.transfer_write %[[SUM]]
// CHECK-DAG: iter_args({{.*}}) -> (vector<8x6xf32>)
// CHECK-DAG: iter_args({{.*}}) -> (vector<4x32xf32>)
// CHECK-DAG: iter_args({{.*}}) -> (vector<4x6xf32>)
// CHECK-NOT: linalg.matmul
// CHECK: return
func.func @register_tile(%a: memref<20x16xf32>, %b: memref<16x70xf32>, %c: memref<20x70xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = -1, tile_sizes = [], loop_order = [], vector_sizes = [8, 32, 1]>} {
  linalg.matmul ins(%a, %b : memref<20x16xf32>, memref<16x70xf32>) outs(%c : memref<20x70xf32>)
  return
}

// -----

// With a symbolic row count, the rows left at the edge have no static size:
// that edge stays a scalar matmul; the full tiles are vectors.
// CHECK-LABEL: func.func @register_tile_dynamic
// CHECK: -> (vector<8x32xf32>)
// CHECK: linalg.matmul ins({{.*}}memref<?x1xf32
func.func @register_tile_dynamic(%a: memref<?x16xf32>, %b: memref<16x64xf32>, %c: memref<?x64xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = -1, tile_sizes = [], loop_order = [], vector_sizes = [8, 32, 1]>} {
  linalg.matmul ins(%a, %b : memref<?x16xf32>, memref<16x64xf32>) outs(%c : memref<?x64xf32>)
  return
}

// -----

// A channels-last 3x3 convolution runs as one [OW x C] x [C x F] matmul per
// output row and filter tap (the input view steps over `stride` pixels), each
// register-tiled.
// CHECK-LABEL: func.func @conv_taps
// CHECK: scf.for
// CHECK: memref.subview %arg0{{.*}} to memref<4x8xf32, strided<[16, 1], offset: ?>>
// CHECK: iter_args
// CHECK: vector.fma
func.func @conv_taps(%x: memref<1x9x9x8xf32>, %w: memref<3x3x8x32xf32>, %y: memref<1x4x4x32xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = -1, tile_sizes = [], loop_order = [], vector_sizes = [4, 32, 1]>} {
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%x, %w : memref<1x9x9x8xf32>, memref<3x3x8x32xf32>) outs(%y : memref<1x4x4x32xf32>)
  return
}

// -----

func.func @vector_sizes_mismatch(%a: memref<8x8xf32>, %b: memref<8x8xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = -1, tile_sizes = [], loop_order = [], vector_sizes = [8, 8]>} {
  // expected-error @below {{vector_sizes apply to contractions only}}
  linalg.copy ins(%a : memref<8x8xf32>) outs(%b : memref<8x8xf32>)
  return
}

// -----

// A depthwise channels-last convolution in tiles of 4 pixels by 16 channels:
// four accumulator vectors carried through the filter window loops (one
// filter load and four input loads and FMAs per tap); the 2 pixels left at
// the row's end are a tile of two accumulator vectors.
// CHECK-LABEL: func.func @depthwise
// CHECK-NOT: linalg.depthwise_conv_2d_nhwc_hwc
// CHECK: %[[A0:.+]] = vector.load %{{.+}} : memref<1x1x4x16xf32{{.*}}>, vector<16xf32>
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK: scf.for {{.*}} iter_args
// CHECK-COUNT-4: vector.fma
// CHECK: vector.store
// CHECK: vector.load %{{.+}} : memref<1x1x2x16xf32{{.*}}>, vector<16xf32>
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>)
// CHECK-NOT: linalg.depthwise_conv_2d_nhwc_hwc
// CHECK: return
func.func @depthwise(%x: memref<1x8x8x16xf32>, %w: memref<3x3x16xf32>, %y: memref<1x6x6x16xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = -1, tile_sizes = [], loop_order = [], vector_sizes = [4, 16]>} {
  linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : memref<1x8x8x16xf32>, memref<3x3x16xf32>) outs(%y : memref<1x6x6x16xf32>)
  return
}

// -----

// The same tiles with loop_order [1, 0]: the channel tiles (32 channels, two
// tiles of 16) outside the output rows, the rows outside the pixel tiles.
// CHECK-LABEL: func.func @depthwise_channels_outer
// CHECK: scf.for %[[C:.+]] = %c0 to %c32 step %c16 {
// CHECK-NEXT: scf.for %[[R:.+]] = %c0 to %c6 step %c1 {
// CHECK: vector.load %{{.+}} : memref<1x1x4x16xf32{{.*}}>, vector<16xf32>
// CHECK-COUNT-4: vector.fma
// CHECK: return
func.func @depthwise_channels_outer(%x: memref<1x8x8x32xf32>, %w: memref<3x3x32xf32>, %y: memref<1x6x6x32xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = -1, tile_sizes = [], loop_order = [1, 0], vector_sizes = [4, 16]>} {
  linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : memref<1x8x8x32xf32>, memref<3x3x32xf32>) outs(%y : memref<1x6x6x32xf32>)
  return
}

// -----

// Any other order of a depthwise conv's register tiles is an error.
func.func @depthwise_bad_order(%x: memref<1x8x8x32xf32>, %w: memref<3x3x32xf32>, %y: memref<1x6x6x32xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = -1, tile_sizes = [], loop_order = [1, 0, 2], vector_sizes = [4, 16]>} {
  // expected-error @+1 {{TuningConfig loop_order of a depthwise convolution or max pooling orders its register tiles}}
  linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : memref<1x8x8x32xf32>, memref<3x3x32xf32>) outs(%y : memref<1x6x6x32xf32>)
  return
}

// -----

// Max pooling in the same tiles: the window operand is only a shape (no load), each
// pixel's maximum in a register across the window (3x3, stride 2), 4 + 3 pixels.
// CHECK-LABEL: func.func @maxpool
// CHECK-NOT: linalg.pooling_nhwc_max
// CHECK: vector.load %{{.+}} : memref<1x1x4x16xf32{{.*}}>, vector<16xf32>
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK: scf.for {{.*}} iter_args
// CHECK-COUNT-4: arith.maximumf {{.*}} : vector<16xf32>
// CHECK-NOT: vector.fma
// CHECK: vector.store
// CHECK: vector.load %{{.+}} : memref<1x1x3x16xf32{{.*}}>, vector<16xf32>
// CHECK-NOT: linalg.pooling_nhwc_max
// CHECK: return
func.func @maxpool(%x: memref<1x15x15x16xf32>, %w: memref<3x3xf32>, %y: memref<1x7x7x16xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = -1, tile_sizes = [], loop_order = [], vector_sizes = [4, 16]>} {
  linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%x, %w : memref<1x15x15x16xf32>, memref<3x3xf32>) outs(%y : memref<1x7x7x16xf32>)
  return
}

// -----

// tile_sizes with vector_sizes are cache blocks [mc, nc, kc]: each [kc x nc] block
// of B is packed (vector copies, row by row) into nc/32 contiguous [kc x 32]
// panels of a stack buffer, then every [8 x 32] register tile streams its panel:
// B is read 32 elements apart instead of a row (70 here) apart. The 6 columns and
// 4 rows at the edges and the 44-deep last block are static tiles too.
// CHECK-LABEL: func.func @packed_matmul
// CHECK: %[[P:.+]] = memref.alloca() {alignment = 64 : i64} : memref<2x256x32xf32>
// CHECK-NOT: linalg.
// CHECK-DAG: vector.transfer_read {{.*}} : memref<32xf32, strided<[1], offset: ?>>, vector<32xf32>
// CHECK-DAG: memref.subview %[[P]]{{.*}} to memref<32xf32, strided<[1], offset: ?>>
// CHECK-DAG: memref.subview %[[P]]{{.*}} to memref<256x32xf32, strided<[32, 1], offset: ?>>
// CHECK-DAG: iter_args({{.*}}) -> (vector<8x32xf32>)
// CHECK-DAG: iter_args({{.*}}) -> (vector<4x32xf32>)
// CHECK-DAG: memref<44x32xf32, strided<[32, 1], offset: ?>>
// CHECK-DAG: iter_args({{.*}}) -> (vector<8x6xf32>)
// CHECK-NOT: linalg.
// CHECK: return
func.func @packed_matmul(%a: memref<20x300xf32>, %b: memref<300x70xf32>, %c: memref<20x70xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = -1, tile_sizes = [64, 64, 256], loop_order = [], vector_sizes = [8, 32, 1]>} {
  linalg.matmul ins(%a, %b : memref<20x300xf32>, memref<300x70xf32>) outs(%c : memref<20x70xf32>)
  return
}

// -----

// loop_order orders a cache block's register tiles: by default ([], or [1, 0])
// each packed panel of 32 columns meets every 8-row tile of A in turn; [0, 1]
// runs each 8-row tile of A across every panel (the tile stays in L1 while the
// panels stream from L2). The packing loop before them is the same.
// CHECK-LABEL: func.func @panels_outer
// CHECK:       scf.for %{{.+}} = %c0 to %c64 step %c1
// CHECK:       scf.for %[[J:.+]] = %c0 to %c64 step %c32 {
// CHECK:         memref.subview %alloca[%{{.+}}, 0, 0] [1, 64, 32]
// CHECK:         scf.for %{{.+}} = %c0 to %c32 step %c8 {
// CHECK:           iter_args({{.*}}) -> (vector<8x32xf32>)
// CHECK-LABEL: func.func @rows_outer
// CHECK:       scf.for %{{.+}} = %c0 to %c64 step %c1
// CHECK:       scf.for %{{.+}} = %c0 to %c32 step %c8 {
// CHECK:         scf.for %{{.+}} = %c0 to %c64 step %c32 {
// CHECK:           memref.subview %alloca[%{{.+}}, 0, 0] [1, 64, 32]
// CHECK:           iter_args({{.*}}) -> (vector<8x32xf32>)
func.func @panels_outer(%a: memref<32x64xf32>, %b: memref<64x64xf32>, %c: memref<32x64xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = -1, tile_sizes = [32, 64, 64], loop_order = [1, 0], vector_sizes = [8, 32, 1]>} {
  linalg.matmul ins(%a, %b : memref<32x64xf32>, memref<64x64xf32>) outs(%c : memref<32x64xf32>)
  return
}
func.func @rows_outer(%a: memref<32x64xf32>, %b: memref<64x64xf32>, %c: memref<32x64xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = -1, tile_sizes = [32, 64, 64], loop_order = [0, 1], vector_sizes = [8, 32, 1]>} {
  linalg.matmul ins(%a, %b : memref<32x64xf32>, memref<64x64xf32>) outs(%c : memref<32x64xf32>)
  return
}

// -----

func.func @register_order_not_two_loops(%a: memref<32x64xf32>, %b: memref<64x64xf32>, %c: memref<32x64xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = -1, tile_sizes = [32, 64, 64], loop_order = [1, 0, 2], vector_sizes = [8, 32, 1]>} {
  // expected-error @below {{TuningConfig loop_order with vector_sizes orders the register tiles of a cache block: [] or [1, 0] (column panels outer) or [0, 1] (row tiles outer)}}
  linalg.matmul ins(%a, %b : memref<32x64xf32>, memref<64x64xf32>) outs(%c : memref<32x64xf32>)
  return
}

// -----

func.func @register_order_without_blocks(%a: memref<32x64xf32>, %b: memref<64x64xf32>, %c: memref<32x64xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = -1, tile_sizes = [], loop_order = [0, 1], vector_sizes = [8, 32, 1]>} {
  // expected-error @below {{TuningConfig loop_order [0, 1] (row tiles outer) needs the cache blocks of a matmul or convolution in tile_sizes}}
  linalg.matmul ins(%a, %b : memref<32x64xf32>, memref<64x64xf32>) outs(%c : memref<32x64xf32>)
  return
}

// -----

// A matmul of fewer than 16 rows (a classifier at batch 1) is not packed: each
// weight is read once anyway. Register tiles straight on B; one row of them is
// twice the config's columns wide (more accumulators in flight).
// CHECK-LABEL: func.func @few_rows_unpacked
// CHECK-NOT: memref.alloca
// CHECK: iter_args({{.*}}) -> (vector<1x64xf32>)
// CHECK-NOT: linalg.
// CHECK: return
func.func @few_rows_unpacked(%a: memref<1x300xf32>, %b: memref<300x64xf32>, %c: memref<1x64xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = -1, tile_sizes = [64, 64, 256], loop_order = [], vector_sizes = [8, 32, 1]>} {
  linalg.matmul ins(%a, %b : memref<1x300xf32>, memref<300x64xf32>) outs(%c : memref<1x64xf32>)
  return
}

// -----

// With a symbolic number of rows, the choice is made at run time: below 16 rows,
// unpacked register tiles in parts (whole 8-row tiles, then blocks of 4, 2 and 1
// row(s): no scalar edge), all the parts block by block of B (kc = 256 deep: the
// first part reads a block from memory, the others from the cache; the 44-deep
// last block peeled, so that each keeps its accumulators in registers), packed
// panels from 16.
// CHECK-LABEL: func.func @rows_chosen_at_run_time
// CHECK: %[[P:.+]] = memref.alloca() {alignment = 64 : i64} : memref<2x256x32xf32>
// CHECK: %[[M:.+]] = memref.dim %arg2, %c0
// CHECK: %[[FEW:.+]] = arith.cmpi slt, %[[M]], %c16
// CHECK: scf.if %[[FEW]] {
// CHECK-NOT: %[[P]]
// CHECK-NOT: linalg.matmul
// CHECK: memref.subview %arg1[0, 0] [256, 64]
// CHECK: to %c256 step %c1 iter_args({{.*}}) -> (vector<8x32xf32>)
// CHECK: to %c256 step %c1 iter_args({{.*}}) -> (vector<4x32xf32>)
// CHECK: to %c256 step %c1 iter_args({{.*}}) -> (vector<2x32xf32>)
// CHECK: to %c256 step %c1 iter_args({{.*}}) -> (vector<1x64xf32>)
// CHECK-NOT: %[[P]]
// CHECK-NOT: linalg.matmul
// CHECK: memref.subview %arg1[256, 0] [44, 64]
// CHECK: to %c44 step %c1 iter_args({{.*}}) -> (vector<8x32xf32>)
// CHECK: to %c44 step %c1 iter_args({{.*}}) -> (vector<4x32xf32>)
// CHECK: to %c44 step %c1 iter_args({{.*}}) -> (vector<2x32xf32>)
// CHECK: to %c44 step %c1 iter_args({{.*}}) -> (vector<1x64xf32>)
// CHECK-NOT: linalg.matmul
// CHECK: } else {
// CHECK: memref.subview %[[P]]
// CHECK: iter_args({{.*}}) -> (vector<8x32xf32>)
// CHECK: return
func.func @rows_chosen_at_run_time(%a: memref<?x300xf32>, %b: memref<300x64xf32>, %c: memref<?x64xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = -1, tile_sizes = [64, 64, 256], loop_order = [], vector_sizes = [8, 32, 1]>} {
  linalg.matmul ins(%a, %b : memref<?x300xf32>, memref<300x64xf32>) outs(%c : memref<?x64xf32>)
  return
}

// -----

// One-row tiles: at most 128 columns (a config of 128 keeps them); a static row
// count above 1 keeps the config's tile; the edge of a row is one narrower tile.
// CHECK-LABEL: func.func @one_row_widths
// CHECK: iter_args({{.*}}) -> (vector<1x128xf32>)
// CHECK-NOT: vector<1x256xf32>
// CHECK-LABEL: func.func @two_rows
// CHECK: iter_args({{.*}}) -> (vector<2x32xf32>)
// CHECK-LABEL: func.func @one_row_edge
// CHECK-DAG: iter_args({{.*}}) -> (vector<1x64xf32>)
// CHECK-DAG: iter_args({{.*}}) -> (vector<1x36xf32>)
func.func @one_row_widths(%a: memref<1x300xf32>, %b: memref<300x256xf32>, %c: memref<1x256xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = -1, tile_sizes = [64, 256, 256], loop_order = [], vector_sizes = [1, 128, 1]>} {
  linalg.matmul ins(%a, %b : memref<1x300xf32>, memref<300x256xf32>) outs(%c : memref<1x256xf32>)
  return
}
func.func @two_rows(%a: memref<2x300xf32>, %b: memref<300x64xf32>, %c: memref<2x64xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = -1, tile_sizes = [64, 64, 256], loop_order = [], vector_sizes = [8, 32, 1]>} {
  linalg.matmul ins(%a, %b : memref<2x300xf32>, memref<300x64xf32>) outs(%c : memref<2x64xf32>)
  return
}
func.func @one_row_edge(%a: memref<1x300xf32>, %b: memref<300x100xf32>, %c: memref<1x100xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = -1, tile_sizes = [64, 64, 256], loop_order = [], vector_sizes = [8, 32, 1]>} {
  linalg.matmul ins(%a, %b : memref<1x300xf32>, memref<300x100xf32>) outs(%c : memref<1x100xf32>)
  return
}

// -----

// A channels-last conv with cache blocks [0, 0, 0, nc, 0, 0, kc] (output and
// input channels): per block and filter tap, the tap's [C x F] weights are packed
// into 16-column panels, then each output row is a [OW x C] x panel matmul in
// [4 x 16] register tiles. (kc = 8 < KW*C keeps the taps apart.)
// CHECK-LABEL: func.func @packed_conv
// CHECK: %[[P:.+]] = memref.alloca() {alignment = 64 : i64} : memref<2x8x16xf32>
// CHECK: memref.subview %[[P]]{{.*}} to memref<16xf32, strided<[1], offset: ?>>
// CHECK: vector.transfer_write
// CHECK: scf.for {{.*}} to %c8 {{.*}} iter_args({{.*}}) -> (vector<4x16xf32>)
// CHECK-NOT: linalg.
// CHECK: return
func.func @packed_conv(%x: memref<1x6x6x8xf32>, %w: memref<3x3x8x32xf32>, %y: memref<1x4x4x32xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = -1, tile_sizes = [0, 0, 0, 32, 0, 0, 8], loop_order = [], vector_sizes = [4, 16, 1]>} {
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : memref<1x6x6x8xf32>, memref<3x3x8x32xf32>) outs(%y : memref<1x4x4x32xf32>)
  return
}

// -----

// When KW*C fits in kc, the taps of one filter row are one reduction of depth
// KW*C: (kw, c) walks consecutive input elements, so each output row reads an
// [OW x KW*C] view with rows `stride` pixels apart (overlapping), and the filter
// row's HWCF weights are one [KW*C x F] matrix: 3 matmuls of depth 24, not 9 of 8.
// CHECK-LABEL: func.func @packed_conv_merged_taps
// CHECK: memref.alloca() {alignment = 64 : i64} : memref<2x24x16xf32>
// CHECK: memref.collapse_shape {{.*}} into memref<24x32xf32
// CHECK: memref.reinterpret_cast %arg0 to offset: [%{{.+}}], sizes: [4, 24], strides: [16, 1]
// CHECK: scf.for {{.*}} to %c24 {{.*}} iter_args({{.*}}) -> (vector<4x16xf32>)
// CHECK-NOT: linalg.
// CHECK: return
func.func @packed_conv_merged_taps(%x: memref<1x9x9x8xf32>, %w: memref<3x3x8x32xf32>, %y: memref<1x4x4x32xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = -1, tile_sizes = [0, 0, 0, 32, 0, 0, 256], loop_order = [], vector_sizes = [4, 16, 1]>} {
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%x, %w : memref<1x9x9x8xf32>, memref<3x3x8x32xf32>) outs(%y : memref<1x4x4x32xf32>)
  return
}

// -----

func.func @packed_bad_blocks(%a: memref<8x8xf32>, %b: memref<8x64xf32>, %c: memref<8x64xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = -1, tile_sizes = [8, 48, 8], loop_order = [], vector_sizes = [8, 32, 1]>} {
  // expected-error @below {{TuningConfig tile_sizes with vector_sizes are cache blocks: [mc, nc, kc] for a matmul, [0, 0, 0, nc, 0, 0, kc] for a convolution, nc a multiple of the register tile's columns}}
  linalg.matmul ins(%a, %b : memref<8x8xf32>, memref<8x64xf32>) outs(%c : memref<8x64xf32>)
  return
}

// -----

// A batched matmul (attention's P x V) with a matmul's register tile: a loop
// over the batch around one register-tiled matmul per batch element, its
// accumulator in registers across the reduction.
#bp = affine_map<(b, m, n, k) -> (b, m, k)>
#bv = affine_map<(b, m, n, k) -> (b, k, n)>
#bo = affine_map<(b, m, n, k) -> (b, m, n)>
// CHECK-LABEL: func.func @kernel
// CHECK: scf.for %[[B:.+]] =
// CHECK: memref.subview %arg0[%[[B]], 0, 0] [1, 8, 16]
// CHECK: scf.for
// CHECK: scf.for {{.*}} iter_args
// CHECK-COUNT-4: vector.fma {{.*}} : vector<16xf32>
// CHECK-NOT: linalg.generic
// CHECK-NOT: linalg.matmul
func.func @kernel(%p: memref<2x8x16xf32>, %v: memref<2x16x32xf32>, %o: memref<2x8x32xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = -1, tile_sizes = [], loop_order = [], vector_sizes = [4, 16, 1]>} {
  linalg.generic {indexing_maps = [#bp, #bv, #bo], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%p, %v : memref<2x8x16xf32>, memref<2x16x32xf32>) outs(%o : memref<2x8x32xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %a = arith.addf %acc, %m : f32
    linalg.yield %a : f32
  }
  return
}

// -----

// Block fusion: a packed conv's bias broadcast and relu (its kernel's op right
// before it and the run right after it) run on each output block [1 x 1 x OW x
// nb] where the block is computed instead of as passes over the whole output:
// the broadcast when the first input-channel block (c0 = 0) and filter tap reach
// the block, the relu once the last ones (c0 + kb >= C, kh = kw = 2) have, pixel
// by pixel in vectors of the block's channels. The relu reads and writes whole
// buffers: its row index is the chunk's first row plus the block's.
// CHECK-LABEL: func.func @packed_conv_block_fusion
// CHECK: scf.for %[[CHUNK:.+]] = %{{.+}} to %{{.+}} step
// CHECK: %[[C0:.+]] = arith.cmpi eq, %{{.+}}, %c0 : index
// CHECK: %[[END:.+]] = arith.cmpi sge, %{{.+}}, %c16 : index
// CHECK: %[[FIRST:.+]] = arith.andi %{{.+}}, %[[C0]] : i1
// CHECK: %[[LAST:.+]] = arith.andi %{{.+}}, %[[END]] : i1
// CHECK: %[[ROW:.+]] = arith.addi %{{.+}}, %[[CHUNK]] : index
// CHECK: scf.if %[[FIRST]] {
// CHECK: vector.transfer_read %arg0[%c0], {{.*}} : memref<32xf32>, vector<32xf32>
// CHECK: iter_args({{.*}}) -> (vector<4x16xf32>)
// CHECK: scf.if %[[LAST]] {
// CHECK: memref.subview %arg4[0, %[[ROW]], %{{.+}}, 0] [1, 1, 1, 32]
// CHECK: arith.maximumf {{.*}} : vector<1x1x1x32xf32>
// CHECK-NOT: linalg.
// CHECK: return
func.func @packed_conv_block_fusion(%b: memref<32xf32>, %x: memref<1x6x6x16xf32>, %w: memref<3x3x16x32xf32>, %y: memref<1x4x4x32xf32>, %r: memref<1x4x4x32xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = 1, tile_sizes = [0, 0, 0, 32, 0, 0, 8], loop_order = [], vector_sizes = [4, 16, 1]>} {
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : memref<32xf32>) outs(%y : memref<1x4x4x32xf32>) attrs = {anvil_kernel.distribute_dim = 1 : i64} {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  }
  linalg.conv_2d_nhwc_hwcf {anvil_kernel.root, dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : memref<1x6x6x16xf32>, memref<3x3x16x32xf32>) outs(%y : memref<1x4x4x32xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%y : memref<1x4x4x32xf32>) outs(%r : memref<1x4x4x32xf32>) attrs = {anvil_kernel.distribute_dim = 1 : i64} {
  ^bb0(%v: f32, %o: f32):
    %m = arith.maximumf %v, %zero : f32
    linalg.yield %m : f32
  }
  return
}

// -----

// Block fusion on a depthwise register tile: the bias broadcast before it and
// the relu6 after it run on each [1 x 1 x 8 x 16] tile, as vectors, where the
// tile's accumulators are loaded and stored; no pass over the whole output is
// left.
// CHECK-LABEL: func.func @depthwise_block_fusion
// CHECK: vector.transfer_read %{{.+}} {permutation_map = #{{.+}}} : memref<16xf32, strided<[1], offset: ?>>, vector<1x1x8x16xf32>
// CHECK: vector.transfer_write
// CHECK-COUNT-8: vector.load
// CHECK: scf.for
// CHECK: vector.fma
// CHECK-COUNT-8: vector.store
// CHECK: arith.maximumf {{.*}} : vector<1x1x8x16xf32>
// CHECK: arith.minimumf {{.*}} : vector<1x1x8x16xf32>
// CHECK-NOT: linalg.
// CHECK: return
func.func @depthwise_block_fusion(%b: memref<32xf32>, %x: memref<1x18x18x32xf32>, %w: memref<3x3x32xf32>, %y: memref<1x16x16x32xf32>, %r: memref<1x16x16x32xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = 1, tile_sizes = [], loop_order = [], vector_sizes = [8, 16]>} {
  %zero = arith.constant 0.0 : f32
  %six = arith.constant 6.0 : f32
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : memref<32xf32>) outs(%y : memref<1x16x16x32xf32>) attrs = {anvil_kernel.distribute_dim = 1 : i64} {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  }
  linalg.depthwise_conv_2d_nhwc_hwc {anvil_kernel.root, dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : memref<1x18x18x32xf32>, memref<3x3x32xf32>) outs(%y : memref<1x16x16x32xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%y : memref<1x16x16x32xf32>) outs(%r : memref<1x16x16x32xf32>) attrs = {anvil_kernel.distribute_dim = 1 : i64} {
  ^bb0(%v: f32, %o: f32):
    %m = arith.maximumf %v, %zero : f32
    %s = arith.minimumf %m, %six : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// The same fusion when no later kernel reads the conv's output
// (`scratch_output`): each tile's bias, sums and relu6 input live in a
// scratch block (the edge tile of 6 pixels in a view of it), the relu6
// still writes each tile of %arg4, and the conv's output buffer (%arg3) is
// never written or read.
// CHECK-LABEL: func.func @depthwise_scratch
// CHECK: %[[S:.+]] = memref.alloca() {alignment = 64 : i64} : memref<1x1x8x16xf32>
// CHECK-NOT: %arg3
// CHECK: vector.transfer_write %{{.+}}, %[[S]]
// CHECK-NOT: %arg3
// CHECK: vector.fma
// CHECK-NOT: %arg3
// CHECK: %[[R:.+]] = memref.subview %arg4[0, %{{.+}}, 0, %{{.+}}] [1, 1, 8, 16]
// CHECK-NOT: %arg3
// CHECK: arith.maximumf {{.*}} : vector<1x1x8x16xf32>
// CHECK-NOT: %arg3
// CHECK: vector.transfer_write %{{.+}}, %[[R]]
// CHECK-NOT: %arg3
// CHECK: memref.subview %[[S]][0, 0, 0, 0] [1, 1, 6, 16]
// CHECK-NOT: %arg3
// CHECK: %[[E:.+]] = memref.subview %arg4[0, %{{.+}}, 8, %{{.+}}] [1, 1, 6, 16]
// CHECK-NOT: %arg3
// CHECK: arith.maximumf {{.*}} : vector<1x1x6x16xf32>
// CHECK-NOT: %arg3
// CHECK: vector.transfer_write %{{.+}}, %[[E]]
// CHECK-NOT: %arg3
// CHECK: return
func.func @depthwise_scratch(%b: memref<32xf32>, %x: memref<1x18x16x32xf32>, %w: memref<3x3x32xf32>, %y: memref<1x16x14x32xf32>, %r: memref<1x16x14x32xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = 1, tile_sizes = [], loop_order = [], vector_sizes = [8, 16]>} {
  %zero = arith.constant 0.0 : f32
  %six = arith.constant 6.0 : f32
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : memref<32xf32>) outs(%y : memref<1x16x14x32xf32>) attrs = {anvil_kernel.distribute_dim = 1 : i64} {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  }
  linalg.depthwise_conv_2d_nhwc_hwc {anvil_kernel.root, anvil_kernel.scratch_output, dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : memref<1x18x16x32xf32>, memref<3x3x32xf32>) outs(%y : memref<1x16x14x32xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%y : memref<1x16x14x32xf32>) outs(%r : memref<1x16x14x32xf32>) attrs = {anvil_kernel.distribute_dim = 1 : i64} {
  ^bb0(%v: f32, %o: f32):
    %m = arith.maximumf %v, %zero : f32
    %s = arith.minimumf %m, %six : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A 1x1 conv (one pass over each output block) whose output no later kernel
// reads (`scratch_output`), with its init and epilogue fused: they run on
// each register tile (8 pixels x 16 channels), which lives in a scratch
// block from the bias broadcast to the relu, and the conv's output buffer
// (%arg3) is never written.
// CHECK-LABEL: func.func @packed_conv_scratch
// CHECK: %[[S:.+]] = memref.alloca() {alignment = 64 : i64} : memref<1x1x8x16xf32>
// CHECK-NOT: %arg3
// CHECK: %[[T:.+]] = memref.subview %[[S]][0, 0, 0, 0] [1, 1, 8, 16] [1, 1, 1, 1] : memref<1x1x8x16xf32> to memref<8x16xf32
// CHECK-NOT: %arg3
// CHECK: scf.for
// CHECK: %[[BIAS:.+]] = memref.subview %arg0[
// CHECK-NOT: %arg3
// CHECK: vector.transfer_read %[[BIAS]]
// CHECK-NOT: %arg3
// CHECK: vector.transfer_write %{{.+}}, %[[S]]
// CHECK-NOT: %arg3
// CHECK: vector.transfer_read %[[T]]
// CHECK-NOT: %arg3
// CHECK: iter_args({{.*}}) -> (vector<8x16xf32>)
// CHECK-NOT: %arg3
// CHECK: vector.transfer_write %{{.+}}, %[[T]]
// CHECK-NOT: %arg3
// CHECK: %[[E:.+]] = memref.subview %arg4[0, %{{.+}}, %{{.+}}, %{{.+}}] [1, 1, 8, 16]
// CHECK-NOT: %arg3
// CHECK: vector.transfer_read %[[S]]
// CHECK-NOT: %arg3
// CHECK: arith.maximumf {{.*}} : vector<1x1x8x16xf32>
// CHECK-NOT: %arg3
// CHECK: vector.transfer_write %{{.+}}, %[[E]]
// CHECK-NOT: %arg3
// CHECK: return
func.func @packed_conv_scratch(%b: memref<32xf32>, %x: memref<1x4x16x16xf32>, %w: memref<1x1x16x32xf32>, %y: memref<1x4x16x32xf32>, %r: memref<1x4x16x32xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = 1, tile_sizes = [0, 0, 0, 32, 0, 0, 256], loop_order = [], vector_sizes = [8, 16, 1]>} {
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : memref<32xf32>) outs(%y : memref<1x4x16x32xf32>) attrs = {anvil_kernel.distribute_dim = 1 : i64} {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  }
  linalg.conv_2d_nhwc_hwcf {anvil_kernel.root, anvil_kernel.scratch_output, dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : memref<1x4x16x16xf32>, memref<1x1x16x32xf32>) outs(%y : memref<1x4x16x32xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%y : memref<1x4x16x32xf32>) outs(%r : memref<1x4x16x32xf32>) attrs = {anvil_kernel.distribute_dim = 1 : i64} {
  ^bb0(%v: f32, %o: f32):
    %m = arith.maximumf %v, %zero : f32
    linalg.yield %m : f32
  }
  return
}

// -----

// A 3x3 conv with prepacked weights and merged taps (kc = KW*C = 48): each
// register tile accumulates the three filter rows in registers, so the conv
// makes one pass over each output block and its fused ops run per tile, in
// the scratch block, as for a 1x1 filter: the bias into the tile, the tile
// read once, carried through the filter rows' loop, written once, then the
// relu; the conv's output (%arg3) is never written.
// CHECK-LABEL: func.func @prepacked_conv_taps_scratch
// CHECK: %[[S:.+]] = memref.alloca() {alignment = 64 : i64} : memref<1x1x8x16xf32>
// CHECK-NOT: %arg3
// CHECK: %[[T:.+]] = memref.subview %[[S]][0, 0, 0, 0] [1, 1, 8, 16] [1, 1, 1, 1] : memref<1x1x8x16xf32> to memref<8x16xf32
// CHECK-NOT: %arg3
// CHECK: vector.transfer_write %{{.+}}, %[[S]]
// CHECK-NOT: %arg3
// CHECK: %[[ACC:.+]] = vector.transfer_read %[[T]]
// CHECK-NEXT: %[[ROWS:.+]] = scf.for %{{.+}} = %c0 to %c3 step %c1 iter_args(%{{.+}} = %[[ACC]]) -> (vector<8x16xf32>)
// CHECK-NOT: %arg3
// CHECK: vector.fma
// CHECK-NOT: %arg3
// CHECK: vector.transfer_write %[[ROWS]], %[[T]]
// CHECK-NOT: %arg3
// CHECK: vector.transfer_read %[[S]]
// CHECK-NOT: %arg3
// CHECK: arith.maximumf {{.*}} : vector<1x1x8x16xf32>
// CHECK-NOT: %arg3
// CHECK: return
func.func @prepacked_conv_taps_scratch(%b: memref<32xf32>, %x: memref<1x6x18x16xf32>, %w: memref<3x3x16x32xf32> {anvil_kernel.packed_panels = 16 : i64}, %y: memref<1x4x16x32xf32>, %r: memref<1x4x16x32xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = 1, tile_sizes = [0, 0, 0, 32, 0, 0, 48], loop_order = [], vector_sizes = [8, 16, 1]>} {
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : memref<32xf32>) outs(%y : memref<1x4x16x32xf32>) attrs = {anvil_kernel.distribute_dim = 1 : i64} {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  }
  linalg.conv_2d_nhwc_hwcf {anvil_kernel.root, anvil_kernel.scratch_output, dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : memref<1x6x18x16xf32>, memref<3x3x16x32xf32>) outs(%y : memref<1x4x16x32xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%y : memref<1x4x16x32xf32>) outs(%r : memref<1x4x16x32xf32>) attrs = {anvil_kernel.distribute_dim = 1 : i64} {
  ^bb0(%v: f32, %o: f32):
    %m = arith.maximumf %v, %zero : f32
    linalg.yield %m : f32
  }
  return
}

// -----

// The same conv and fused ops, but a later op of the kernel (a sum over the
// rows, not fusable) reads the conv's output: no scratch block; each
// register tile of the output is initialized, accumulated into and read by
// the relu in turn.
// CHECK-LABEL: func.func @packed_conv_scratch_read_later
// CHECK-NOT: memref.alloca() {alignment = 64 : i64} : memref<1x1x8x16xf32>
// CHECK: %[[T:.+]] = memref.subview %{{.+}}[%{{.+}}, %{{.+}}] [8, 16] [1, 1] : memref<16x32xf32, strided<[32, 1], offset: ?>> to memref<8x16xf32
// CHECK: %[[I:.+]] = memref.subview %arg3[0, %{{.+}}, %{{.+}}, %{{.+}}] [1, 1, 8, 16]
// CHECK: vector.transfer_write %{{.+}}, %[[I]]
// CHECK: vector.transfer_read %[[T]]
// CHECK: iter_args({{.*}}) -> (vector<8x16xf32>)
// CHECK: vector.transfer_write %{{.+}}, %[[T]]
// CHECK: %[[O:.+]] = memref.subview %arg3[0, %{{.+}}, %{{.+}}, %{{.+}}] [1, 1, 8, 16]
// CHECK: vector.transfer_read %[[O]]
// CHECK: arith.maximumf {{.*}} : vector<1x1x8x16xf32>
// CHECK: linalg.generic
// CHECK-SAME: ins(%arg3
// CHECK: return
func.func @packed_conv_scratch_read_later(%b: memref<32xf32>, %x: memref<1x4x16x16xf32>, %w: memref<1x1x16x32xf32>, %y: memref<1x4x16x32xf32>, %r: memref<1x4x16x32xf32>, %s: memref<1x16x32xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = -1, tile_sizes = [0, 0, 0, 32, 0, 0, 256], loop_order = [], vector_sizes = [8, 16, 1]>} {
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : memref<32xf32>) outs(%y : memref<1x4x16x32xf32>) attrs = {anvil_kernel.distribute_dim = -1 : i64} {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  }
  linalg.conv_2d_nhwc_hwcf {anvil_kernel.root, anvil_kernel.scratch_output, dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : memref<1x4x16x16xf32>, memref<1x1x16x32xf32>) outs(%y : memref<1x4x16x32xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%y : memref<1x4x16x32xf32>) outs(%r : memref<1x4x16x32xf32>) attrs = {anvil_kernel.distribute_dim = -1 : i64} {
  ^bb0(%v: f32, %o: f32):
    %m = arith.maximumf %v, %zero : f32
    linalg.yield %m : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>], iterator_types = ["parallel", "reduction", "parallel", "parallel"]}
      ins(%y : memref<1x4x16x32xf32>) outs(%s : memref<1x16x32xf32>) attrs = {anvil_kernel.distribute_dim = -1 : i64} {
  ^bb0(%v: f32, %o: f32):
    %t = arith.addf %v, %o : f32
    linalg.yield %t : f32
  }
  return
}

// -----

// B laid out as 32-column panels at compile time (--anvil-pack-weights): the
// kernel reads them in place through a [N/32][K][32] view of the argument
// (no panel buffer, no packing copy), at the panel of its workgroup's chunk;
// a dynamic row count below 16 takes one-row register tiles on the same
// panels. The mark is consumed.
// CHECK-LABEL: func.func @prepacked_matmul
// CHECK-NOT: anvil_kernel.packed_panels
// CHECK: memref.reinterpret_cast %{{.*}} to offset: [0], sizes: [2, 64, 32], strides: [2048, 32, 1]
// CHECK-NOT: memref.alloca
// CHECK-NOT: memref.copy
// CHECK: scf.if
// CHECK: vector.fma
// CHECK: return
func.func @prepacked_matmul(%a: memref<?x64xf32>, %b: memref<64x64xf32> {anvil_kernel.packed_panels = 32 : i64}, %c: memref<?x64xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = 1, tile_sizes = [64, 64, 256], loop_order = [], vector_sizes = [8, 32, 1]>} {
  linalg.matmul ins(%a, %b : memref<?x64xf32>, memref<64x64xf32>) outs(%c : memref<?x64xf32>)
  return
}

// -----

// A weight of 40 columns stored as two whole panels (the last one padded):
// the argument is the first 40 columns of [64 x 64] (rows 64 apart), read
// through a [2][64][32] view; an argument whose rows are closer than its
// columns, or not a multiple of the panels apart, is refused.
// CHECK-LABEL: func.func @prepacked_padded
// CHECK: memref.reinterpret_cast %{{.*}} to offset: [0], sizes: [2, 64, 32], strides: [2048, 32, 1]
// CHECK-NOT: memref.alloca
// CHECK-NOT: memref.copy
// CHECK: vector.fma
// CHECK: return
func.func @prepacked_padded(%a: memref<32x64xf32>, %b: memref<64x40xf32, strided<[64, 1]>> {anvil_kernel.packed_panels = 32 : i64}, %c: memref<32x40xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = -1, tile_sizes = [64, 64, 256], loop_order = [], vector_sizes = [8, 32, 1]>} {
  linalg.matmul ins(%a, %b : memref<32x64xf32>, memref<64x40xf32, strided<[64, 1]>>) outs(%c : memref<32x40xf32>)
  return
}

// -----

// expected-error @below {{kernel argument 1 holds 32-column panels, but the matmul reading it packs 32-column panels of whole columns}}
func.func @prepacked_padded_wrong(%a: memref<32x64xf32>, %b: memref<64x40xf32, strided<[48, 1]>> {anvil_kernel.packed_panels = 32 : i64}, %c: memref<32x40xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = -1, tile_sizes = [64, 64, 256], loop_order = [], vector_sizes = [8, 32, 1]>} {
  linalg.matmul ins(%a, %b : memref<32x64xf32>, memref<64x40xf32, strided<[48, 1]>>) outs(%c : memref<32x40xf32>)
  return
}

// -----

// Panels of another width than the register tile's are never read as rows.
// expected-error @below {{kernel argument 1 holds 16-column panels, but the matmul reading it packs 32-column panels of whole columns}}
func.func @prepacked_other_width(%a: memref<32x64xf32>, %b: memref<64x64xf32> {anvil_kernel.packed_panels = 16 : i64}, %c: memref<32x64xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = -1, tile_sizes = [64, 64, 256], loop_order = [], vector_sizes = [8, 32, 1]>} {
  linalg.matmul ins(%a, %b : memref<32x64xf32>, memref<64x64xf32>) outs(%c : memref<32x64xf32>)
  return
}

// -----

// A marked argument that no packed matmul or conv takes is an error, not rows.
// expected-error @below {{kernel argument 1 holds prepacked weight panels that no packed matmul or convolution of the kernel reads}}
func.func @prepacked_unpacked_config(%a: memref<32x64xf32>, %b: memref<64x64xf32> {anvil_kernel.packed_panels = 32 : i64}, %c: memref<32x64xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = -1, tile_sizes = [], loop_order = []>} {
  linalg.matmul ins(%a, %b : memref<32x64xf32>, memref<64x64xf32>) outs(%c : memref<32x64xf32>)
  return
}

// -----

// A convolution's filter laid out as 32-column panels of each filter row's
// [KW*C x F] matrix at compile time: the kernel reads tap (kh, kw)'s
// channels through a [KH][F/32][KW*C][32] view of the argument, rows kw*C
// onwards, at the panels of its workgroup's chunk of output channels (no
// panel buffer, no packing copy).
// CHECK-LABEL: func.func @prepacked_conv
// CHECK-NOT: anvil_kernel.packed_panels
// CHECK: memref.reinterpret_cast %{{.*}} to offset: [0], sizes: [3, 2, 48, 32], strides: [3072, 1536, 32, 1]
// CHECK-NOT: memref.alloca
// CHECK-NOT: memref.copy
// CHECK: vector.fma
// CHECK: return
func.func @prepacked_conv(%in: memref<1x10x10x16xf32>, %w: memref<3x3x16x64xf32> {anvil_kernel.packed_panels = 32 : i64}, %out: memref<1x8x8x64xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = 3, tile_sizes = [0, 0, 0, 32, 0, 0, 16], loop_order = [], vector_sizes = [4, 32, 4]>} {
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w : memref<1x10x10x16xf32>, memref<3x3x16x64xf32>) outs(%out : memref<1x8x8x64xf32>)
  return
}

// -----

// A batch of images through a prepacked 3x3 filter: each register tile
// accumulates all nine taps (the two tap loops inside the tile, around its
// reduction loop), its accumulators read once before the taps, carried
// through them in registers and written once after; the images go one after
// another, each through its output rows.
// CHECK-LABEL: func.func @prepacked_conv_batch
// CHECK: %[[N:.+]] = memref.dim %arg2, %c0
// CHECK: scf.for %{{.+}} = %c0 to %[[N]] step %c1 {
// CHECK-NEXT: scf.for %{{.+}} = %c0 to %c8 step %c1 {
// CHECK: scf.for %{{.+}} = %c0 to %c8 step %c4 {
// CHECK: %[[ACC:.+]] = vector.transfer_read %[[TILE:.+]][%c0, %c0]
// CHECK-NEXT: %[[KH:.+]] = scf.for %{{.+}} = %c0 to %c3 step %c1 iter_args(%{{.+}} = %[[ACC]]) -> (vector<4x32xf32>) {
// CHECK-NOT: vector.transfer_write
// CHECK: %[[KW:.+]] = scf.for %{{.+}} = %c0 to %c3 step %c1 iter_args(
// CHECK-NOT: vector.transfer_write
// CHECK: scf.for %{{.+}} = %c0 to %c16 step %c4 iter_args(
// CHECK-NOT: vector.transfer_write
// CHECK: vector.fma
// CHECK-NOT: vector.transfer_write
// CHECK: scf.yield %[[KW]]
// CHECK-NEXT: }
// CHECK-NEXT: vector.transfer_write %[[KH]], %[[TILE]][%c0, %c0]
// CHECK: return
func.func @prepacked_conv_batch(%in: memref<?x10x10x16xf32>, %w: memref<3x3x16x64xf32> {anvil_kernel.packed_panels = 32 : i64}, %out: memref<?x8x8x64xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = 3, tile_sizes = [0, 0, 0, 32, 0, 0, 16], loop_order = [], vector_sizes = [4, 32, 4]>} {
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w : memref<?x10x10x16xf32>, memref<3x3x16x64xf32>) outs(%out : memref<?x8x8x64xf32>)
  return
}

// -----

// The same panels read a filter row at a time when its taps merge into one
// reduction of KW*C (kc >= 48).
// CHECK-LABEL: func.func @prepacked_conv_merged_taps
// CHECK: memref.reinterpret_cast %{{.*}} to offset: [0], sizes: [3, 2, 48, 32], strides: [3072, 1536, 32, 1]
// CHECK-NOT: memref.alloca
// CHECK: memref.subview %{{.*}}[%{{.*}}, 0, 0, 0] [1, 2, 48, 32] [1, 1, 1, 1]
// CHECK-NOT: memref.copy
// CHECK: vector.fma
// CHECK: return
func.func @prepacked_conv_merged_taps(%in: memref<1x10x10x16xf32>, %w: memref<3x3x16x64xf32> {anvil_kernel.packed_panels = 32 : i64}, %out: memref<1x8x8x64xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = 1, tile_sizes = [0, 0, 0, 64, 0, 0, 64], loop_order = [], vector_sizes = [4, 32, 4]>} {
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w : memref<1x10x10x16xf32>, memref<3x3x16x64xf32>) outs(%out : memref<1x8x8x64xf32>)
  return
}

// -----

// A workgroup's chunk of the output channels (distribute_dim = 3: the filter
// is a subview whose last dim is symbolic) merges its filter rows' taps too:
// 48-deep matmuls, the panels and the input row read a filter row at a time
// (until 2026-12 only a whole filter merged, so a chunk ran 9 passes of 16).
// CHECK-LABEL: func.func @prepacked_conv_chunk_merged_taps
// CHECK: memref.reinterpret_cast %arg1 to offset: [0], sizes: [3, 2, 48, 32]
// CHECK: memref.subview %{{.*}}[%{{.*}}, %{{.*}}, 0, 0] [1, 1, 48, 32] [1, 1, 1, 1]
// CHECK: memref.reinterpret_cast %arg0 to offset: [%{{.*}}], sizes: [8, 48], strides: [16, 1]
// CHECK: vector.fma
// CHECK: return
func.func @prepacked_conv_chunk_merged_taps(%in: memref<1x10x10x16xf32>, %w: memref<3x3x16x64xf32> {anvil_kernel.packed_panels = 32 : i64}, %out: memref<1x8x8x64xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = 3, tile_sizes = [0, 0, 0, 32, 0, 0, 48], loop_order = [], vector_sizes = [4, 32, 4]>} {
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w : memref<1x10x10x16xf32>, memref<3x3x16x64xf32>) outs(%out : memref<1x8x8x64xf32>)
  return
}

// -----

// The same packed at run time: the chunk's filter row [3 x 16 x nb] collapses
// into one [48 x nb] matrix.
// CHECK-LABEL: func.func @conv_chunk_merged_taps
// CHECK: memref.alloca() {alignment = 64 : i64} : memref<1x48x32xf32>
// CHECK: memref.collapse_shape {{.*}} into memref<48x32xf32
// CHECK: memref.reinterpret_cast %arg0 to offset: [%{{.*}}], sizes: [8, 48], strides: [16, 1]
// CHECK: return
func.func @conv_chunk_merged_taps(%in: memref<1x10x10x16xf32>, %w: memref<3x3x16x64xf32>, %out: memref<1x8x8x64xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = 3, tile_sizes = [0, 0, 0, 32, 0, 0, 48], loop_order = [], vector_sizes = [4, 32, 4]>} {
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w : memref<1x10x10x16xf32>, memref<3x3x16x64xf32>) outs(%out : memref<1x8x8x64xf32>)
  return
}

// -----

// Filter panels of another width than the register tile's are an error.
// expected-error @below {{kernel argument 1 holds 16-column panels, but the convolution reading it packs 32-column panels of whole columns}}
func.func @prepacked_conv_other_width(%in: memref<1x10x10x16xf32>, %w: memref<3x3x16x64xf32> {anvil_kernel.packed_panels = 16 : i64}, %out: memref<1x8x8x64xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = -1, tile_sizes = [0, 0, 0, 64, 0, 0, 16], loop_order = [], vector_sizes = [4, 32, 4]>} {
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w : memref<1x10x10x16xf32>, memref<3x3x16x64xf32>) outs(%out : memref<1x8x8x64xf32>)
  return
}

// -----

// A reduction along the innermost loop (a softmax's row max) is tiled to single
// rows, each read as one vector and reduced with vector.reduction, instead of a
// scalar loop that stores the output element at every step.
// CHECK-LABEL: func.func @row_max
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.for
// CHECK: %[[ROW:.+]] = vector.transfer_read {{.*}} vector<1x1x1x128xf32>
// CHECK: %[[V:.+]] = vector.extract %[[ROW]][0, 0, 0] : vector<128xf32>
// CHECK: vector.reduction <maximumf>, %[[V]], %{{.+}} : vector<128xf32> into f32
// CHECK-NOT: fastmath
// CHECK: vector.transfer_write
// CHECK-NOT: linalg.generic
func.func @row_max(%s: memref<?x12x128x128xf32>, %m: memref<?x12x128xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = 1, tile_sizes = [], loop_order = []>} {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>],
                  iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%s : memref<?x12x128x128xf32>) outs(%m : memref<?x12x128xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %out, %in : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// So is a fused kernel's other op (a softmax's row sum after its exp, the root):
// a sum in any order, a tree of vector adds (reassoc).
// CHECK-LABEL: func.func @exp_sum
// CHECK: linalg.generic {{.*}} attrs = {anvil_kernel.root}
// CHECK: math.exp
// CHECK: linalg.fill
// CHECK: scf.for
// CHECK: %[[ROW:.+]] = vector.transfer_read {{.*}} vector<1x128xf32>
// CHECK: %[[V:.+]] = vector.extract %[[ROW]][0] : vector<128xf32>
// CHECK: vector.reduction <add>, %[[V]], %{{.+}} fastmath<reassoc> : vector<128xf32> into f32
func.func @exp_sum(%s: memref<?x128xf32>, %m: memref<?x1xf32>, %e: memref<?x128xf32>, %sum: memref<?xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = 0, tile_sizes = [], loop_order = []>} {
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%s, %m : memref<?x128xf32>, memref<?x1xf32>) outs(%e : memref<?x128xf32>) attrs = {anvil_kernel.root} {
  ^bb0(%in: f32, %max: f32, %out: f32):
    %d = arith.subf %in, %max : f32
    %x = math.exp %d : f32
    linalg.yield %x : f32
  }
  linalg.fill {anvil_kernel.distribute_dim = 0 : i64} ins(%zero : f32) outs(%sum : memref<?xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%e : memref<?x128xf32>) outs(%sum : memref<?xf32>) attrs = {anvil_kernel.distribute_dim = 0 : i64} {
  ^bb0(%in: f32, %out: f32):
    %r = arith.addf %in, %out : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// Not a row reduction: the reduction reads a column of its input (a row would
// be a gather), or the reduction is not the innermost loop. Both stay loops.
// CHECK-LABEL: func.func @column_sum
// CHECK-NOT: vector.
// CHECK: linalg.generic
// CHECK-NOT: vector.
// CHECK-LABEL: func.func @middle_sum
// CHECK-NOT: vector.
// CHECK: linalg.generic
// CHECK-NOT: vector.
func.func @column_sum(%s: memref<64x128xf32>, %sum: memref<128xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = -1, tile_sizes = [], loop_order = []>} {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d0)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%s : memref<64x128xf32>) outs(%sum : memref<128xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.addf %in, %out : f32
    linalg.yield %r : f32
  }
  return
}
func.func @middle_sum(%s: memref<8x64x16xf32>, %sum: memref<8x16xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = -1, tile_sizes = [], loop_order = []>} {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d2)>],
                  iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%s : memref<8x64x16xf32>) outs(%sum : memref<8x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.addf %in, %out : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// A transpose that keeps the contiguous dim in place (heads split off a
// [S x H x Dh] tensor) copies one row of Dh elements at a time as a vector;
// rows of a length not known at compile time stay loops.
// CHECK-LABEL: func.func @split_heads
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.for
// CHECK: %[[ROW:.+]] = vector.transfer_read {{.*}} vector<1x1x1x64xf32>
// CHECK: vector.transfer_write {{.*}} vector<1x1x1x64xf32>
// CHECK-NOT: linalg.transpose
// CHECK-LABEL: func.func @split_heads_dynamic
// CHECK-NOT: vector.
// CHECK: linalg.transpose
func.func @split_heads(%x: memref<?x128x12x64xf32>, %y: memref<?x12x128x64xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = 1, tile_sizes = [], loop_order = []>} {
  linalg.transpose ins(%x : memref<?x128x12x64xf32>) outs(%y : memref<?x12x128x64xf32>) permutation = [0, 2, 1, 3]
  return
}
func.func @split_heads_dynamic(%x: memref<128x12x?xf32>, %y: memref<12x128x?xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = -1, tile_sizes = [], loop_order = []>} {
  linalg.transpose ins(%x : memref<128x12x?xf32>) outs(%y : memref<12x128x?xf32>) permutation = [1, 0, 2]
  return
}

// -----

// Rows of a half type reduced into f32 (a bf16 softmax's row max) too: the row is
// read as bf16 and extended to f32 as one vector.
// CHECK-LABEL: func.func @row_max_bf16
// CHECK: %[[ROW:.+]] = vector.transfer_read {{.*}} vector<1x1000xbf16>
// CHECK: arith.extf %{{.+}} : vector<1x1000xbf16> to vector<1x1000xf32>
// CHECK: vector.reduction <maximumf>, %{{.+}}, %{{.+}} : vector<1000xf32> into f32
func.func @row_max_bf16(%s: memref<4x1000xbf16>, %m: memref<4xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = -1, tile_sizes = [], loop_order = []>} {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%s : memref<4x1000xbf16>) outs(%m : memref<4xf32>) {
  ^bb0(%in: bf16, %out: f32):
    %x = arith.extf %in : bf16 to f32
    %r = arith.maximumf %out, %x : f32
    linalg.yield %r : f32
  }
  return
}
