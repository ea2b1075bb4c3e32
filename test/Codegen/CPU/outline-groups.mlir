// RUN: anvil-opt %s -split-input-file -anvil-outline-dispatches | FileCheck %s

// A convolution-like chain: init fill, contraction, in-place epilogue, then
// the fill and copy that pad the next layer's input. Every op splits the
// 64-channel loop (allocation dim 1 at offset 0 everywhere), so each
// workgroup only reads what it wrote: one kernel, one dispatch. The pad
// buffer's interior starts at row 1, so the rows could not be the split, and
// 8 rows of 64 channels (2 KiB) are too few to count as a split of cache
// lines (a larger output split by channels would, see the next case).
// CHECK-LABEL: func.func @kernel_0
// CHECK-SAME: distribute_dim = 1, tile_sizes = [64, 256, 256], loop_order = [], vector_sizes = [8, 32, 4]
// CHECK: linalg.fill {anvil_kernel.distribute_dim = 1 : i64}
// CHECK: linalg.matmul {anvil_kernel.root}
// CHECK: linalg.generic
// CHECK-SAME: anvil_kernel.distribute_dim = 1 : i64
// CHECK: linalg.fill {anvil_kernel.distribute_dim = 1 : i64}
// CHECK: linalg.copy {anvil_kernel.distribute_dim = 1 : i64}
// CHECK-NOT: func.func @kernel_1
// CHECK-LABEL: func.func @main
// CHECK: anvil_kernel.dispatch @kernel_0({{.*}}) grid(%{{.+}})
// CHECK-NOT: anvil_kernel.dispatch
func.func @main(%x: memref<8x128xf32>, %w: memref<128x64xf32>, %out: memref<10x64xf32>) {
  %zero = arith.constant 0.0 : f32
  %acc = memref.alloc() : memref<8x64xf32>
  linalg.fill ins(%zero : f32) outs(%acc : memref<8x64xf32>)
  linalg.matmul ins(%x, %w : memref<8x128xf32>, memref<128x64xf32>) outs(%acc : memref<8x64xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      outs(%acc : memref<8x64xf32>) {
  ^bb0(%v: f32):
    %r = arith.maximumf %v, %zero : f32
    linalg.yield %r : f32
  }
  linalg.fill ins(%zero : f32) outs(%out : memref<10x64xf32>)
  %interior = memref.subview %out[1, 0] [8, 64] [1, 1] : memref<10x64xf32> to memref<8x64xf32, strided<[64, 1], offset: 64>>
  memref.copy %acc, %interior : memref<8x64xf32> to memref<8x64xf32, strided<[64, 1], offset: 64>>
  return
}

// -----

// The same chain on 256 rows: a 64 KiB output split by channels would give
// each workgroup a 128-byte slice of every 256-byte row, and two cores
// writing interleaved slices of one buffer run slower than one core writing
// it all. The chain splits its rows instead; the padded copy, whose interior
// starts at row 1, goes with the pad's fill to a kernel of their own.
// CHECK-LABEL: func.func @kernel_0
// CHECK-SAME: distribute_dim = 0, tile_sizes = [64, 256, 256]
// CHECK: linalg.fill {anvil_kernel.distribute_dim = 0 : i64}
// CHECK: linalg.matmul {anvil_kernel.root}
// CHECK: linalg.generic
// CHECK-SAME: anvil_kernel.distribute_dim = 0 : i64
// CHECK-LABEL: func.func @kernel_1
// CHECK: linalg.fill {anvil_kernel.root}
// CHECK: linalg.copy
// CHECK-LABEL: func.func @main
// CHECK: anvil_kernel.dispatch @kernel_0({{.*}}) grid(%{{.+}})
// CHECK: anvil_kernel.dispatch @kernel_1
// CHECK-NOT: anvil_kernel.dispatch
func.func @main(%x: memref<256x128xf32>, %w: memref<128x64xf32>, %out: memref<258x64xf32>) {
  %zero = arith.constant 0.0 : f32
  %acc = memref.alloc() : memref<256x64xf32>
  linalg.fill ins(%zero : f32) outs(%acc : memref<256x64xf32>)
  linalg.matmul ins(%x, %w : memref<256x128xf32>, memref<128x64xf32>) outs(%acc : memref<256x64xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      outs(%acc : memref<256x64xf32>) {
  ^bb0(%v: f32):
    %r = arith.maximumf %v, %zero : f32
    linalg.yield %r : f32
  }
  linalg.fill ins(%zero : f32) outs(%out : memref<258x64xf32>)
  %interior = memref.subview %out[1, 0] [256, 64] [1, 1] : memref<258x64xf32> to memref<256x64xf32, strided<[64, 1], offset: 64>>
  memref.copy %acc, %interior : memref<256x64xf32> to memref<256x64xf32, strided<[64, 1], offset: 64>>
  return
}

// -----

// Chained matmuls split by rows fuse: row i of the second result needs only
// row i of the first. The second one gets its own cache and register tiles.
// CHECK-LABEL: func.func @kernel_0
// CHECK-SAME: distribute_dim = 0
// CHECK: linalg.matmul {anvil_kernel.root}
// CHECK: linalg.matmul {anvil_kernel.distribute_dim = 0 : i64, anvil_kernel.tile_sizes = array<i64: 64, 256, 256>, anvil_kernel.vector_sizes = array<i64: 8, 32, 4>}
// CHECK-NOT: func.func @kernel_1
func.func @main(%a: memref<256x256xf32>, %b: memref<256x256xf32>, %c: memref<256x256xf32>, %d: memref<256x256xf32>) {
  linalg.matmul ins(%a, %b : memref<256x256xf32>, memref<256x256xf32>) outs(%c : memref<256x256xf32>)
  linalg.matmul ins(%c, %b : memref<256x256xf32>, memref<256x256xf32>) outs(%d : memref<256x256xf32>)
  return
}

// -----

// Must not fuse: the second matmul squares the first one's result, reading
// all of its rows (as the right operand) and all of its columns (as the left
// one), so whatever the split, a workgroup would read values another one has
// not written yet. Two kernels.
// CHECK-LABEL: func.func @kernel_0
// CHECK: linalg.matmul
// CHECK-NOT: linalg.matmul
// CHECK-LABEL: func.func @kernel_1
// CHECK: linalg.matmul
// CHECK-LABEL: func.func @main
// CHECK: anvil_kernel.dispatch @kernel_0
// CHECK: anvil_kernel.dispatch @kernel_1
func.func @main(%a: memref<256x256xf32>, %b: memref<256x256xf32>, %c: memref<256x256xf32>, %d: memref<256x256xf32>) {
  linalg.matmul ins(%a, %b : memref<256x256xf32>, memref<256x256xf32>) outs(%c : memref<256x256xf32>)
  linalg.matmul ins(%c, %c : memref<256x256xf32>, memref<256x256xf32>) outs(%d : memref<256x256xf32>)
  return
}

// -----

// Must not fuse: the copy writes a view that starts one row into the
// allocation. Splitting the fill by rows would give the copy's row chunks a
// one-row shift; splitting it by its 512 columns matches the extent of the
// copy's 512 rows, but they are different dims of the allocation. Two kernels.
// CHECK-LABEL: func.func @kernel_0
// CHECK: linalg.fill
// CHECK-LABEL: func.func @kernel_1
// CHECK: linalg.copy
// CHECK-LABEL: func.func @main
// CHECK: anvil_kernel.dispatch @kernel_0
// CHECK: anvil_kernel.dispatch @kernel_1
func.func @main(%x: memref<512x2xf32>, %out: memref<513x512xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%out : memref<513x512xf32>)
  %v = memref.subview %out[1, 0] [512, 2] [1, 1] : memref<513x512xf32> to memref<512x2xf32, strided<[512, 1], offset: 512>>
  memref.copy %x, %v : memref<512x2xf32> to memref<512x2xf32, strided<[512, 1], offset: 512>>
  return
}

// -----

// Small ops (under 65536 iterations together) share one unsplit kernel, in
// order, whatever they read: a reduction and the op that uses its result.
// CHECK-LABEL: func.func @kernel_0
// CHECK-SAME: distribute_dim = -1
// CHECK: linalg.generic {{.*}}iterator_types = ["reduction"]{{.*}}anvil_kernel.root
// CHECK: linalg.generic
// CHECK-SAME: anvil_kernel.distribute_dim = -1 : i64
// CHECK-NOT: func.func @kernel_1
func.func @main(%a: memref<1024xf32>, %s: memref<f32>, %b: memref<1024xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>], iterator_types = ["reduction"]}
      ins(%a : memref<1024xf32>) outs(%s : memref<f32>) {
  ^bb0(%in: f32, %acc: f32):
    %r = arith.addf %in, %acc : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%a, %s : memref<1024xf32>, memref<f32>) outs(%b : memref<1024xf32>) {
  ^bb0(%in: f32, %sum: f32, %o: f32):
    %r = arith.divf %in, %sum : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// A softmax-like row chain on a big tensor: a row reduction and the
// elementwise op that uses it split the same row loop: one kernel.
// CHECK-LABEL: func.func @kernel_0
// CHECK-SAME: distribute_dim = 0
// CHECK-COUNT-2: linalg.generic
// CHECK-NOT: func.func @kernel_1
func.func @main(%a: memref<512x512xf32>, %s: memref<512xf32>, %b: memref<512x512xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]}
      ins(%a : memref<512x512xf32>) outs(%s : memref<512xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %r = arith.addf %in, %acc : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%a, %s : memref<512x512xf32>, memref<512xf32>) outs(%b : memref<512x512xf32>) {
  ^bb0(%in: f32, %sum: f32, %o: f32):
    %r = arith.divf %in, %sum : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// Must not fuse, even though both ops are small: the second op's fill value
// is a scalar loaded from what the first op writes, and a load cloned into a
// kernel runs when the kernel starts, before the first op. Two kernels.
// CHECK-LABEL: func.func @kernel_0
// CHECK: linalg.generic
// CHECK-LABEL: func.func @kernel_1
// CHECK: %[[V:.+]] = memref.load
// CHECK: linalg.fill ins(%[[V]] : f32)
// CHECK-LABEL: func.func @main
// CHECK: anvil_kernel.dispatch @kernel_0
// CHECK: anvil_kernel.dispatch @kernel_1
func.func @main(%a: memref<2xf32>, %v: memref<2xf32>, %out: memref<4xf32>) {
  %c1 = arith.constant 1 : index
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%a : memref<2xf32>) outs(%v : memref<2xf32>) {
  ^bb0(%x: f32, %o: f32):
    %y = arith.addf %x, %x : f32
    linalg.yield %y : f32
  }
  %on = memref.load %v[%c1] : memref<2xf32>
  linalg.fill ins(%on : f32) outs(%out : memref<4xf32>)
  return
}

// -----

// A padded buffer of more than 1 MiB (a MobileNetV2 layer): its border fill
// and the relu6 into its interior could share a kernel only split by
// channels, the buffer's innermost dim, which gives each workgroup a slice of
// every cache line row (both workgroups then stream the whole buffer; the
// 2-thread MobileNetV2 ran 15% slower so). Small as they are, they do not: the
// relu6 splits rows in its own kernel. The fill, which touches none of the
// interior, moves after the relu6 (see the next test).
// CHECK-LABEL: func.func @kernel_0
// CHECK-SAME: distribute_dim = 1,
// CHECK: linalg.generic
// CHECK-NOT: linalg.fill
// CHECK-LABEL: func.func @kernel_1
// CHECK: linalg.fill
// CHECK-NOT: linalg.generic
func.func @main(%src: memref<1x56x56x96xf32>, %p: memref<1x58x58x96xf32>) {
  %zero = arith.constant 0.0 : f32
  %six = arith.constant 6.0 : f32
  %top = memref.subview %p[0, 0, 0, 0] [1, 1, 58, 96] [1, 1, 1, 1] : memref<1x58x58x96xf32> to memref<1x1x58x96xf32, strided<[322944, 5568, 96, 1]>>
  linalg.fill ins(%zero : f32) outs(%top : memref<1x1x58x96xf32, strided<[322944, 5568, 96, 1]>>)
  %in = memref.subview %p[0, 1, 1, 0] [1, 56, 56, 96] [1, 1, 1, 1] : memref<1x58x58x96xf32> to memref<1x56x56x96xf32, strided<[322944, 5568, 96, 1], offset: 5664>>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%src : memref<1x56x56x96xf32>) outs(%in : memref<1x56x56x96xf32, strided<[322944, 5568, 96, 1], offset: 5664>>) {
  ^bb0(%x: f32, %o: f32):
    %r = arith.maximumf %x, %zero : f32
    %s = arith.minimumf %r, %six : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A 1x1 conv whose relu6 writes the interior of the next layer's padded
// buffer, with that buffer's border fills scheduled between them: the fills
// write none of what the conv and the relu6 touch, so they move after the
// relu6, and the bias broadcast, the conv and the relu6 share a kernel split
// by rows (TileKernels then runs the broadcast and the relu6 per output
// block). No later op reads the conv's output: it is marked
// `scratch_output`. The host keeps run order: the fills' dispatch comes
// second.
// CHECK-LABEL: func.func @kernel_0
// CHECK-SAME: distribute_dim = 1,
// CHECK-NEXT: arith.constant
// CHECK-NEXT: arith.constant
// CHECK-NEXT: linalg.generic
// CHECK-NEXT: ^bb0
// CHECK-NEXT: linalg.yield
// CHECK-NEXT: }
// CHECK-NEXT: linalg.conv_2d_nhwc_hwcf
// CHECK-SAME: anvil_kernel.scratch_output
// CHECK-NEXT: linalg.generic
// CHECK-NOT: linalg.fill
// CHECK-LABEL: func.func @kernel_1
// CHECK-COUNT-2: linalg.fill
// CHECK-LABEL: func.func @main
// CHECK: dispatch @kernel_0
// CHECK: dispatch @kernel_1
func.func @main(%x: memref<1x56x56x16xf32>, %w: memref<1x1x16x96xf32>, %bias: memref<96xf32>, %p: memref<1x58x58x96xf32>) {
  %zero = arith.constant 0.0 : f32
  %six = arith.constant 6.0 : f32
  %y = memref.alloc() : memref<1x56x56x96xf32>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%bias : memref<96xf32>) outs(%y : memref<1x56x56x96xf32>) {
  ^bb0(%b: f32, %o: f32):
    linalg.yield %b : f32
  }
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : memref<1x56x56x16xf32>, memref<1x1x16x96xf32>) outs(%y : memref<1x56x56x96xf32>)
  %top = memref.subview %p[0, 0, 0, 0] [1, 1, 58, 96] [1, 1, 1, 1] : memref<1x58x58x96xf32> to memref<1x1x58x96xf32, strided<[322944, 5568, 96, 1]>>
  linalg.fill ins(%zero : f32) outs(%top : memref<1x1x58x96xf32, strided<[322944, 5568, 96, 1]>>)
  %bottom = memref.subview %p[0, 57, 0, 0] [1, 1, 58, 96] [1, 1, 1, 1] : memref<1x58x58x96xf32> to memref<1x1x58x96xf32, strided<[322944, 5568, 96, 1], offset: 317376>>
  linalg.fill ins(%zero : f32) outs(%bottom : memref<1x1x58x96xf32, strided<[322944, 5568, 96, 1], offset: 317376>>)
  %in = memref.subview %p[0, 1, 1, 0] [1, 56, 56, 96] [1, 1, 1, 1] : memref<1x58x58x96xf32> to memref<1x56x56x96xf32, strided<[322944, 5568, 96, 1], offset: 5664>>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%y : memref<1x56x56x96xf32>) outs(%in : memref<1x56x56x96xf32, strided<[322944, 5568, 96, 1], offset: 5664>>) {
  ^bb0(%v: f32, %o: f32):
    %r = arith.maximumf %v, %zero : f32
    %s = arith.minimumf %r, %six : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A depthwise conv between its bias broadcast and its relu6, whose output
// (%y) nothing after them reads: one kernel, the conv marked
// `scratch_output` (TileKernels keeps each tile's sums on the stack).
// CHECK-LABEL: func.func @kernel_0
// CHECK: linalg.generic
// CHECK: linalg.depthwise_conv_2d_nhwc_hwc
// CHECK-SAME: anvil_kernel.scratch_output
// CHECK: linalg.generic
// CHECK-LABEL: func.func @main
// CHECK: dispatch @kernel_0
// CHECK-NOT: dispatch
func.func @main(%x: memref<1x30x30x32xf32>, %w: memref<3x3x32xf32>, %bias: memref<32xf32>, %out: memref<1x28x28x32xf32>) {
  %zero = arith.constant 0.0 : f32
  %six = arith.constant 6.0 : f32
  %y = memref.alloc() : memref<1x28x28x32xf32>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%bias : memref<32xf32>) outs(%y : memref<1x28x28x32xf32>) {
  ^bb0(%b: f32, %o: f32):
    linalg.yield %b : f32
  }
  linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : memref<1x30x30x32xf32>, memref<3x3x32xf32>) outs(%y : memref<1x28x28x32xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%y : memref<1x28x28x32xf32>) outs(%out : memref<1x28x28x32xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = arith.maximumf %v, %zero : f32
    %s = arith.minimumf %r, %six : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// The same, but a later op of the group reads the conv's output through a
// view made in the host (its own kernel argument, which TileKernels cannot
// tell from another buffer): not `scratch_output`, so the output is written.
// CHECK-LABEL: func.func @kernel_0
// CHECK: linalg.depthwise_conv_2d_nhwc_hwc {anvil_kernel.root, dilations
// CHECK-LABEL: func.func @main
func.func @main(%x: memref<1x30x30x32xf32>, %w: memref<3x3x32xf32>, %bias: memref<32xf32>, %out: memref<1x28x28x32xf32>, %out2: memref<1x28x28x32xf32>) {
  %zero = arith.constant 0.0 : f32
  %six = arith.constant 6.0 : f32
  %y = memref.alloc() : memref<1x28x28x32xf32>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%bias : memref<32xf32>) outs(%y : memref<1x28x28x32xf32>) {
  ^bb0(%b: f32, %o: f32):
    linalg.yield %b : f32
  }
  linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : memref<1x30x30x32xf32>, memref<3x3x32xf32>) outs(%y : memref<1x28x28x32xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%y : memref<1x28x28x32xf32>) outs(%out : memref<1x28x28x32xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = arith.maximumf %v, %zero : f32
    %s = arith.minimumf %r, %six : f32
    linalg.yield %s : f32
  }
  %yv = memref.subview %y[0, 0, 0, 0] [1, 28, 28, 32] [1, 1, 1, 1] : memref<1x28x28x32xf32> to memref<1x28x28x32xf32, strided<[25088, 896, 32, 1]>>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%out, %yv : memref<1x28x28x32xf32>, memref<1x28x28x32xf32, strided<[25088, 896, 32, 1]>>) outs(%out2 : memref<1x28x28x32xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %t = arith.addf %a, %c : f32
    linalg.yield %t : f32
  }
  return
}

// -----

// A stage's first conv and its relu with the downsampling branch (a bias
// broadcast and a 1x1 conv on other buffers) scheduled between them: the
// relu moves up to its conv and shares its kernel; the branch's broadcast
// starts the next kernel, with its conv (the broadcast initializes that
// conv's output, which TileKernels does per output block).
// CHECK-LABEL: func.func @kernel_0
// CHECK: linalg.conv_2d_nhwc_hwcf
// CHECK-SAME: memref<1x1x64x64xf32>
// CHECK-NEXT: linalg.generic
// CHECK: arith.maximumf
// CHECK-NOT: linalg.conv_2d_nhwc_hwcf
// CHECK-LABEL: func.func @kernel_1
// CHECK: linalg.generic
// CHECK: linalg.yield
// CHECK-NEXT: }
// CHECK-NEXT: linalg.conv_2d_nhwc_hwcf
// CHECK-NOT: arith.maximumf
// CHECK-LABEL: func.func @main
func.func @main(%x: memref<1x28x28x64xf32>, %w: memref<1x1x64x64xf32>, %wd: memref<1x1x64x128xf32>, %bias: memref<128xf32>, %r: memref<1x28x28x64xf32>) {
  %zero = arith.constant 0.0 : f32
  %a = memref.alloc() : memref<1x28x28x64xf32>
  linalg.fill ins(%zero : f32) outs(%a : memref<1x28x28x64xf32>)
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : memref<1x28x28x64xf32>, memref<1x1x64x64xf32>) outs(%a : memref<1x28x28x64xf32>)
  %d = memref.alloc() : memref<1x28x28x128xf32>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%bias : memref<128xf32>) outs(%d : memref<1x28x28x128xf32>) {
  ^bb0(%b: f32, %o: f32):
    linalg.yield %b : f32
  }
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %wd : memref<1x28x28x64xf32>, memref<1x1x64x128xf32>) outs(%d : memref<1x28x28x128xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%a : memref<1x28x28x64xf32>) outs(%r : memref<1x28x28x64xf32>) {
  ^bb0(%v: f32, %o: f32):
    %m = arith.maximumf %v, %zero : f32
    linalg.yield %m : f32
  }
  return
}

// -----

// A 16-channel 3x3 conv (under 4M iterations, a constant filter) writing the interior
// of the next layer's padded input, and the fills of that input's border. Split by
// output channels, 16 channels of 16-column register tiles are one chunk, which one
// workgroup runs alone (resnet_mini's 16-channel layers, until 2026-12): split by rows.
// The border touches no element of the interior, so the fills join the kernel, each
// split along a loop of the conv's extent (the top row by channels, the left column by
// rows), though their slices are not the conv's.
// CHECK-LABEL: func.func @kernel_0
// CHECK-SAME: distribute_dim = 1
// CHECK: linalg.conv_2d_nhwc_hwcf
// CHECK: linalg.fill {anvil_kernel.distribute_dim = 3 : i64}
// CHECK: linalg.fill {anvil_kernel.distribute_dim = 1 : i64}
// CHECK-NOT: func.func @kernel_1
memref.global "private" constant @w16 : memref<3x3x16x16xf32> = dense<1.0>
func.func @main(%x: memref<1x18x18x16xf32>, %out: memref<1x18x18x16xf32>) {
  %zero = arith.constant 0.0 : f32
  %w = memref.get_global @w16 : memref<3x3x16x16xf32>
  %y = memref.subview %out[0, 1, 1, 0] [1, 16, 16, 16] [1, 1, 1, 1] : memref<1x18x18x16xf32> to memref<1x16x16x16xf32, strided<[5184, 288, 16, 1], offset: 304>>
  linalg.fill ins(%zero : f32) outs(%y : memref<1x16x16x16xf32, strided<[5184, 288, 16, 1], offset: 304>>)
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : memref<1x18x18x16xf32>, memref<3x3x16x16xf32>) outs(%y : memref<1x16x16x16xf32, strided<[5184, 288, 16, 1], offset: 304>>)
  %top = memref.subview %out[0, 0, 0, 0] [1, 1, 18, 16] [1, 1, 1, 1] : memref<1x18x18x16xf32> to memref<1x1x18x16xf32, strided<[5184, 288, 16, 1]>>
  linalg.fill ins(%zero : f32) outs(%top : memref<1x1x18x16xf32, strided<[5184, 288, 16, 1]>>)
  %left = memref.subview %out[0, 1, 0, 0] [1, 16, 1, 16] [1, 1, 1, 1] : memref<1x18x18x16xf32> to memref<1x16x1x16xf32, strided<[5184, 288, 16, 1], offset: 288>>
  linalg.fill ins(%zero : f32) outs(%left : memref<1x16x1x16xf32, strided<[5184, 288, 16, 1], offset: 288>>)
  return
}

// -----

// A small depthwise conv, the fills of its padded input, the relu6 into that
// input, its bias and its epilogue: each too small to split (below 65536
// iterations), 90048 iterations together. A serial kernel may grow past
// 65536 iterations (to 98304) while it runs a depthwise conv or a pooling op
// and takes no second op with a reduction loop: one kernel, not two.
// CHECK-LABEL: func.func @kernel_0
// CHECK-SAME: distribute_dim = -1
// CHECK: linalg.generic
// CHECK-COUNT-4: linalg.fill
// CHECK: linalg.generic
// CHECK: linalg.depthwise_conv_2d_nhwc_hwc {anvil_kernel.root
// CHECK: linalg.generic
// CHECK-NOT: func.func @kernel_1
// CHECK-LABEL: func.func @main
// CHECK: anvil_kernel.dispatch @kernel_0
// CHECK-NOT: anvil_kernel.dispatch
func.func @main(%x: memref<1x8x8x112xf32>, %w: memref<3x3x112xf32>, %b: memref<112xf32>, %y: memref<1x8x8x112xf32>) {
  %zero = arith.constant 0.0 : f32
  %six = arith.constant 6.0 : f32
  %pad = memref.alloc() : memref<1x10x10x112xf32>
  %top = memref.subview %pad[0, 0, 0, 0] [1, 1, 10, 112] [1, 1, 1, 1] : memref<1x10x10x112xf32> to memref<1x1x10x112xf32, strided<[11200, 1120, 112, 1]>>
  linalg.fill ins(%zero : f32) outs(%top : memref<1x1x10x112xf32, strided<[11200, 1120, 112, 1]>>)
  %bottom = memref.subview %pad[0, 9, 0, 0] [1, 1, 10, 112] [1, 1, 1, 1] : memref<1x10x10x112xf32> to memref<1x1x10x112xf32, strided<[11200, 1120, 112, 1], offset: 10080>>
  linalg.fill ins(%zero : f32) outs(%bottom : memref<1x1x10x112xf32, strided<[11200, 1120, 112, 1], offset: 10080>>)
  %left = memref.subview %pad[0, 1, 0, 0] [1, 8, 1, 112] [1, 1, 1, 1] : memref<1x10x10x112xf32> to memref<1x8x1x112xf32, strided<[11200, 1120, 112, 1], offset: 1120>>
  linalg.fill ins(%zero : f32) outs(%left : memref<1x8x1x112xf32, strided<[11200, 1120, 112, 1], offset: 1120>>)
  %right = memref.subview %pad[0, 1, 9, 0] [1, 8, 1, 112] [1, 1, 1, 1] : memref<1x10x10x112xf32> to memref<1x8x1x112xf32, strided<[11200, 1120, 112, 1], offset: 2128>>
  linalg.fill ins(%zero : f32) outs(%right : memref<1x8x1x112xf32, strided<[11200, 1120, 112, 1], offset: 2128>>)
  %interior = memref.subview %pad[0, 1, 1, 0] [1, 8, 8, 112] [1, 1, 1, 1] : memref<1x10x10x112xf32> to memref<1x8x8x112xf32, strided<[11200, 1120, 112, 1], offset: 1232>>
  linalg.generic {indexing_maps = [affine_map<(n, h, w, c) -> (n, h, w, c)>, affine_map<(n, h, w, c) -> (n, h, w, c)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : memref<1x8x8x112xf32>) outs(%interior : memref<1x8x8x112xf32, strided<[11200, 1120, 112, 1], offset: 1232>>) {
  ^bb0(%v: f32, %o: f32):
    %lo = arith.maximumf %v, %zero : f32
    %r = arith.minimumf %lo, %six : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [affine_map<(n, h, w, c) -> (c)>, affine_map<(n, h, w, c) -> (n, h, w, c)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : memref<112xf32>) outs(%y : memref<1x8x8x112xf32>) {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  }
  linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%pad, %w : memref<1x10x10x112xf32>, memref<3x3x112xf32>) outs(%y : memref<1x8x8x112xf32>)
  linalg.generic {indexing_maps = [affine_map<(n, h, w, c) -> (n, h, w, c)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      outs(%y : memref<1x8x8x112xf32>) {
  ^bb0(%o: f32):
    %lo = arith.maximumf %o, %zero : f32
    %r = arith.minimumf %lo, %six : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// A bias broadcast that only initializes a 3x3 conv whose weights (2.4 MB)
// outweigh its input and output: the conv splits its output channels, a split
// of cache lines of its 196 KiB output, and the broadcast is judged as the
// conv, not alone (alone it would be a kernel of one workgroup; it was until
// 2026-12, 21 such kernels in ResNet-50).
// CHECK-LABEL: func.func @kernel_0
// CHECK-SAME: distribute_dim = 3
// CHECK: linalg.generic
// CHECK-SAME: anvil_kernel.distribute_dim = 3 : i64
// CHECK: linalg.conv_2d_nhwc_hwcf {anvil_kernel.root
// CHECK-NOT: func.func @kernel_1
// CHECK-LABEL: func.func @main
// CHECK: anvil_kernel.dispatch @kernel_0
// CHECK-NOT: anvil_kernel.dispatch
func.func @main(%x: memref<1x16x16x256xf32>, %w: memref<3x3x256x256xf32>, %b: memref<256xf32>, %y: memref<1x14x14x256xf32>) {
  linalg.generic {indexing_maps = [affine_map<(n, h, w, c) -> (c)>, affine_map<(n, h, w, c) -> (n, h, w, c)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : memref<256xf32>) outs(%y : memref<1x14x14x256xf32>) {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  }
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : memref<1x16x16x256xf32>, memref<3x3x256x256xf32>) outs(%y : memref<1x14x14x256xf32>)
  return
}

// -----

// A depthwise conv chain of 51456 iterations (pad fill, relu6, bias, depthwise
// conv) and a 1x1 conv of 32768 after it: together below 98304, but the 1x1
// conv would be a second op with a reduction loop in a serial kernel past
// 65536 iterations, so it starts a kernel of its own.
// CHECK-LABEL: func.func @kernel_0
// CHECK-SAME: distribute_dim = -1
// CHECK: linalg.depthwise_conv_2d_nhwc_hwc {anvil_kernel.root
// CHECK-NOT: linalg.conv_2d_nhwc_hwcf
// CHECK-LABEL: func.func @kernel_1
// CHECK: linalg.conv_2d_nhwc_hwcf
// CHECK-LABEL: func.func @main
// CHECK: anvil_kernel.dispatch @kernel_0
// CHECK: anvil_kernel.dispatch @kernel_1
// CHECK-NOT: anvil_kernel.dispatch
func.func @main(%x: memref<1x8x8x64xf32>, %w: memref<3x3x64xf32>, %b: memref<64xf32>, %w2: memref<1x1x64x8xf32>, %y: memref<1x8x8x64xf32>, %z: memref<1x8x8x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %six = arith.constant 6.0 : f32
  %pad = memref.alloc() : memref<1x10x10x64xf32>
  linalg.fill ins(%zero : f32) outs(%pad : memref<1x10x10x64xf32>)
  %interior = memref.subview %pad[0, 1, 1, 0] [1, 8, 8, 64] [1, 1, 1, 1] : memref<1x10x10x64xf32> to memref<1x8x8x64xf32, strided<[6400, 640, 64, 1], offset: 704>>
  linalg.generic {indexing_maps = [affine_map<(n, h, w, c) -> (n, h, w, c)>, affine_map<(n, h, w, c) -> (n, h, w, c)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : memref<1x8x8x64xf32>) outs(%interior : memref<1x8x8x64xf32, strided<[6400, 640, 64, 1], offset: 704>>) {
  ^bb0(%v: f32, %o: f32):
    %lo = arith.maximumf %v, %zero : f32
    %r = arith.minimumf %lo, %six : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [affine_map<(n, h, w, c) -> (c)>, affine_map<(n, h, w, c) -> (n, h, w, c)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : memref<64xf32>) outs(%y : memref<1x8x8x64xf32>) {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  }
  linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%pad, %w : memref<1x10x10x64xf32>, memref<3x3x64xf32>) outs(%y : memref<1x8x8x64xf32>)
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%y, %w2 : memref<1x8x8x64xf32>, memref<1x1x64x8xf32>) outs(%z : memref<1x8x8x8xf32>)
  return
}

// -----

// A serial group (a small depthwise conv and its relu6, under 65536 iterations
// per image) over a symbolic batch splits the batch: at batch 1 one workgroup,
// as unsplit; at larger batches the threads take whole images (without it,
// every batch ran on one core).
// CHECK-LABEL: func.func @kernel_0
// CHECK-SAME: distribute_dim = 0
// CHECK: linalg.depthwise_conv_2d_nhwc_hwc {anvil_kernel.root
// CHECK: linalg.generic
// CHECK-SAME: anvil_kernel.distribute_dim = 0 : i64
// CHECK-LABEL: func.func @main
// CHECK: anvil_kernel.dispatch @kernel_0({{.*}}) grid(%{{dim[_0-9]*}}) : memref<?x10x10x32xf32>
// CHECK-NOT: anvil_kernel.dispatch
func.func @main(%x: memref<?x10x10x32xf32>, %w: memref<3x3x32xf32>) -> memref<?x8x8x32xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %six = arith.constant 6.0 : f32
  %n = memref.dim %x, %c0 : memref<?x10x10x32xf32>
  %y = memref.alloc(%n) : memref<?x8x8x32xf32>
  linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : memref<?x10x10x32xf32>, memref<3x3x32xf32>) outs(%y : memref<?x8x8x32xf32>)
  linalg.generic {indexing_maps = [affine_map<(n, h, w, c) -> (n, h, w, c)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      outs(%y : memref<?x8x8x32xf32>) {
  ^bb0(%o: f32):
    %lo = arith.maximumf %o, %zero : f32
    %r = arith.minimumf %lo, %six : f32
    linalg.yield %r : f32
  }
  return %y : memref<?x8x8x32xf32>
}

// -----

// Nor a group whose symbolic loops need not have one extent: the conv's input
// and output are two arguments, each with its own symbolic rows, so nothing
// says the two ops' chunks would be the same. The same ops as above otherwise.
// CHECK-LABEL: func.func @kernel_0
// CHECK-SAME: distribute_dim = -1
// CHECK: linalg.depthwise_conv_2d_nhwc_hwc {anvil_kernel.root
// CHECK: linalg.generic
// CHECK-SAME: anvil_kernel.distribute_dim = -1 : i64
// CHECK-LABEL: func.func @main
// CHECK: anvil_kernel.dispatch @kernel_0({{[^)]*}}) :
func.func @main(%x: memref<?x10x10x32xf32>, %w: memref<3x3x32xf32>, %y: memref<?x8x8x32xf32>, %z: memref<?x8x8x32xf32>) {
  %zero = arith.constant 0.0 : f32
  %six = arith.constant 6.0 : f32
  linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : memref<?x10x10x32xf32>, memref<3x3x32xf32>) outs(%y : memref<?x8x8x32xf32>)
  linalg.generic {indexing_maps = [affine_map<(n, h, w, c) -> (n, h, w, c)>, affine_map<(n, h, w, c) -> (n, h, w, c)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%y : memref<?x8x8x32xf32>) outs(%z : memref<?x8x8x32xf32>) {
  ^bb0(%v: f32, %o: f32):
    %lo = arith.maximumf %v, %zero : f32
    %r = arith.minimumf %lo, %six : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// But not a matmul over symbolic rows that nothing ties to a batch (%a and %c
// are two arguments): its workgroups' chunks would start at multiples of the
// register tile's 8 rows, and a few rows are a serial kernel.
// CHECK-LABEL: func.func @kernel_0
// CHECK-SAME: distribute_dim = -1
// CHECK: linalg.fill
// CHECK: linalg.matmul {anvil_kernel.root
// CHECK-LABEL: func.func @main
// CHECK: anvil_kernel.dispatch @kernel_0({{[^)]*}}) :
func.func @main(%a: memref<?x64xf32>, %b: memref<64x64xf32>, %c: memref<?x64xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<?x64xf32>)
  linalg.matmul ins(%a, %b : memref<?x64xf32>, memref<64x64xf32>) outs(%c : memref<?x64xf32>)
  return
}

// -----

// A matmul over the rows of a batch of 16-token sequences (a collapsed view of
// [batch, 16, 64], its output an allocation of 16 x batch rows read back
// through an expanded view) splits with the ops over [batch, 16, 64] around
// it: each workgroup takes whole sequences, the matmul 16 rows of each
// (distribute_factor, a multiple of its 8-row register tile), and the grid is
// the batch (the matmul, the root, has 16 rows an image). transformer_encoder's
// four kernels ran on one core at every batch before.
// CHECK-LABEL: func.func @kernel_0
// CHECK-SAME: distribute_dim = 0
// CHECK: linalg.generic
// CHECK-SAME: anvil_kernel.distribute_dim = 0 : i64
// CHECK: linalg.fill {anvil_kernel.distribute_dim = 0 : i64, anvil_kernel.distribute_factor = 16 : i64}
// CHECK: linalg.matmul {anvil_kernel.distribute_factor = 16 : i64, anvil_kernel.root}
// CHECK: linalg.generic
// CHECK-SAME: anvil_kernel.distribute_dim = 0 : i64
// CHECK-LABEL: func.func @main
// CHECK: %[[G:.+]] = arith.divui %{{.+}}, %c16
// CHECK: anvil_kernel.dispatch @kernel_0({{.*}}) grid(%[[G]])
// CHECK-NOT: anvil_kernel.dispatch
func.func @main(%x: memref<?x16x64xf32>, %w: memref<64x64xf32>) -> memref<?x16x64xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %n = memref.dim %x, %c0 : memref<?x16x64xf32>
  %h = memref.alloc(%n) : memref<?x16x64xf32>
  linalg.generic {indexing_maps = [affine_map<(b, s, c) -> (b, s, c)>, affine_map<(b, s, c) -> (b, s, c)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x : memref<?x16x64xf32>) outs(%h : memref<?x16x64xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = arith.maximumf %v, %zero : f32
    linalg.yield %r : f32
  }
  %rows = affine.apply affine_map<()[s0] -> (s0 * 16)>()[%n]
  %hc = memref.collapse_shape %h [[0, 1], [2]] : memref<?x16x64xf32> into memref<?x64xf32>
  %acc = memref.alloc(%rows) : memref<?x64xf32>
  linalg.fill ins(%zero : f32) outs(%acc : memref<?x64xf32>)
  linalg.matmul ins(%hc, %w : memref<?x64xf32>, memref<64x64xf32>) outs(%acc : memref<?x64xf32>)
  %e = memref.expand_shape %acc [[0, 1], [2]] output_shape [%n, 16, 64] : memref<?x64xf32> into memref<?x16x64xf32>
  %y = memref.alloc(%n) : memref<?x16x64xf32>
  linalg.generic {indexing_maps = [affine_map<(b, s, c) -> (b, s, c)>, affine_map<(b, s, c) -> (b, s, c)>, affine_map<(b, s, c) -> (b, s, c)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%e, %x : memref<?x16x64xf32>, memref<?x16x64xf32>) outs(%y : memref<?x16x64xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.addf %a, %b : f32
    linalg.yield %r : f32
  }
  return %y : memref<?x16x64xf32>
}

// -----

// The same over 12-token sequences stays one workgroup: 12 rows an image
// would start chunks between the matmul's 8-row register tiles, so that which
// rows take the vector path would depend on the thread count.
// CHECK-LABEL: func.func @kernel_0
// CHECK-SAME: distribute_dim = -1
// CHECK-NOT: distribute_factor
// CHECK-LABEL: func.func @main
// CHECK: anvil_kernel.dispatch @kernel_0({{[^)]*}}) :
func.func @main(%x: memref<?x12x64xf32>, %w: memref<64x64xf32>) -> memref<?x12x64xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %n = memref.dim %x, %c0 : memref<?x12x64xf32>
  %h = memref.alloc(%n) : memref<?x12x64xf32>
  linalg.generic {indexing_maps = [affine_map<(b, s, c) -> (b, s, c)>, affine_map<(b, s, c) -> (b, s, c)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x : memref<?x12x64xf32>) outs(%h : memref<?x12x64xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = arith.maximumf %v, %zero : f32
    linalg.yield %r : f32
  }
  %rows = affine.apply affine_map<()[s0] -> (s0 * 12)>()[%n]
  %hc = memref.collapse_shape %h [[0, 1], [2]] : memref<?x12x64xf32> into memref<?x64xf32>
  %acc = memref.alloc(%rows) : memref<?x64xf32>
  linalg.fill ins(%zero : f32) outs(%acc : memref<?x64xf32>)
  linalg.matmul ins(%hc, %w : memref<?x64xf32>, memref<64x64xf32>) outs(%acc : memref<?x64xf32>)
  %e = memref.expand_shape %acc [[0, 1], [2]] output_shape [%n, 12, 64] : memref<?x64xf32> into memref<?x12x64xf32>
  %y = memref.alloc(%n) : memref<?x12x64xf32>
  linalg.generic {indexing_maps = [affine_map<(b, s, c) -> (b, s, c)>, affine_map<(b, s, c) -> (b, s, c)>, affine_map<(b, s, c) -> (b, s, c)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%e, %x : memref<?x12x64xf32>, memref<?x12x64xf32>) outs(%y : memref<?x12x64xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.addf %a, %b : f32
    linalg.yield %r : f32
  }
  return %y : memref<?x12x64xf32>
}

// -----

// Nor a serial group under 2048 iterations per image (two border fills of 320):
// splitting it costs more than it runs.
// CHECK-LABEL: func.func @kernel_0
// CHECK-SAME: distribute_dim = -1
// CHECK-COUNT-2: linalg.fill
// CHECK-LABEL: func.func @main
// CHECK: anvil_kernel.dispatch @kernel_0({{[^)]*}}) :
func.func @main(%top: memref<?x1x10x32xf32>, %bottom: memref<?x1x10x32xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%top : memref<?x1x10x32xf32>)
  linalg.fill ins(%zero : f32) outs(%bottom : memref<?x1x10x32xf32>)
  return
}

// -----

// A lone op that runs as one workgroup by default (its work counts the
// symbolic rows as one) but has 2048 iterations per row or more splits its
// symbolic loop, as a serial group does, through a reshaped view whose size
// the tracing does not follow (one op's loop has one extent): BERT-base's
// zero fill of its FFN matmul's output, 128 x 3072 at batch 1.
// CHECK-LABEL: func.func @kernel_0
// CHECK-SAME: distribute_dim = 0,
// CHECK-LABEL: func.func @main
// CHECK: %[[N:.+]] = memref.dim %{{.+}}, %c0 : memref<?x3072xf32>
// CHECK: dispatch @kernel_0(%{{.+}}) grid(%[[N]])
func.func @main(%n: index) -> memref<?x3072xf32> {
  %zero = arith.constant 0.0 : f32
  %y = memref.alloc(%n) : memref<?x128x3072xf32>
  %c = memref.collapse_shape %y [[0, 1], [2]] : memref<?x128x3072xf32> into memref<?x3072xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<?x3072xf32>)
  return %c : memref<?x3072xf32>
}

// -----

// Under 2048 iterations per row it stays one workgroup.
// CHECK-LABEL: func.func @kernel_0
// CHECK-SAME: distribute_dim = -1,
// CHECK-LABEL: func.func @main
// CHECK: dispatch @kernel_0(%{{.+}}) :
func.func @main(%n: index) -> memref<?x768xf32> {
  %zero = arith.constant 0.0 : f32
  %y = memref.alloc(%n) : memref<?x128x768xf32>
  %c = memref.collapse_shape %y [[0, 1], [2]] : memref<?x128x768xf32> into memref<?x768xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<?x768xf32>)
  return %c : memref<?x768xf32>
}
