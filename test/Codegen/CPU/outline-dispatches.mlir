// RUN: anvil-opt %s -split-input-file -anvil-outline-dispatches="group-dispatches=false" -verify-diagnostics | FileCheck %s
// One kernel per compute op (fused dispatches: outline-groups.mlir).

// Each compute op becomes a kernel; the model function keeps allocations,
// sizes and dispatches. Kernels spread their largest static parallel loop (the
// 512 columns, not the symbolic rows, which are often 1 at run time) over
// workgroups, and the host computes that loop's extent.
// CHECK-LABEL: func.func @kernel_0
// CHECK-SAME: (%[[OUT:.+]]: memref<?x512xf32>, %{{.+}}: index, %{{.+}}: index)
// CHECK-SAME: anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = -1, tile_sizes = [], loop_order = []>
// CHECK-SAME: llvm.emit_c_interface
// CHECK: %[[ZERO:.+]] = arith.constant 0.0
// CHECK: linalg.fill ins(%[[ZERO]] : f32) outs(%[[OUT]]
// An f32 matmul gets cache tiles and the 8 x 32 register tile, unrolled 4
// reduction steps (4 divides K); its B is computed at run time (an argument
// here), so its blocks, packed on the stack, are 256 deep.
// CHECK-LABEL: func.func @kernel_1
// CHECK-SAME: #anvil_kernel.tuning<distribute_dim = 1, tile_sizes = [64, 256, 256], loop_order = [], vector_sizes = [8, 32, 4]>
// CHECK: linalg.matmul
// CHECK-LABEL: func.func @main
// CHECK: %[[N:.+]] = memref.dim %arg0, %c0
// CHECK: %[[BUF:.+]] = memref.alloc(%[[N]])
// CHECK: anvil_kernel.dispatch @kernel_0(%[[BUF]]) :
// CHECK: anvil_kernel.dispatch @kernel_1(%arg0, %arg1, %[[BUF]]) grid(%{{.+}})
// CHECK-NOT: linalg.
// CHECK: return %[[BUF]]
func.func @main(%arg0: memref<?x256xf32>, %arg1: memref<256x512xf32>) -> memref<?x512xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %n = memref.dim %arg0, %c0 : memref<?x256xf32>
  %buf = memref.alloc(%n) : memref<?x512xf32>
  linalg.fill ins(%zero : f32) outs(%buf : memref<?x512xf32>)
  linalg.matmul ins(%arg0, %arg1 : memref<?x256xf32>, memref<256x512xf32>) outs(%buf : memref<?x512xf32>)
  return %buf : memref<?x512xf32>
}

// -----

// A constant B (packed at compile time) gets 1024-deep reduction blocks; a K
// that 4 does not divide keeps one reduction step per iteration.
// CHECK-LABEL: func.func @kernel_1
// CHECK-SAME: #anvil_kernel.tuning<distribute_dim = 1, tile_sizes = [64, 256, 1024], loop_order = [], vector_sizes = [8, 32, 1]>
// CHECK: linalg.matmul
memref.global "private" constant @w : memref<258x512xf32> = dense<1.0>
func.func @main(%arg0: memref<?x258xf32>) -> memref<?x512xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %n = memref.dim %arg0, %c0 : memref<?x258xf32>
  %w = memref.get_global @w : memref<258x512xf32>
  %buf = memref.alloc(%n) : memref<?x512xf32>
  linalg.fill ins(%zero : f32) outs(%buf : memref<?x512xf32>)
  linalg.matmul ins(%arg0, %w : memref<?x258xf32>, memref<258x512xf32>) outs(%buf : memref<?x512xf32>)
  return %buf : memref<?x512xf32>
}

// -----

// A full reduction has no parallel loop: it runs as one workgroup.
// CHECK-LABEL: func.func @kernel_0
// CHECK-SAME: distribute_dim = -1
// CHECK-LABEL: func.func @main
// CHECK: anvil_kernel.dispatch @kernel_0(%arg0, %arg1) :
func.func @main(%arg0: memref<16xf32>, %arg1: memref<f32>) {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>],
                  iterator_types = ["reduction"]}
      ins(%arg0 : memref<16xf32>) outs(%arg1 : memref<f32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %in, %out : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A scalar read from tensor data (a one-hot's on/off value) moves into the
// kernel that uses it, with the buffer it reads as an argument.
// CHECK-LABEL: func.func @kernel_0
// CHECK-SAME: (%[[OUT:.+]]: memref<4xf32>, %[[VALUES:.+]]: memref<2xf32>
// CHECK: %[[ON:.+]] = memref.load %[[VALUES]]
// CHECK: linalg.fill ins(%[[ON]] : f32) outs(%[[OUT]]
// CHECK-LABEL: func.func @main
// CHECK-NOT: memref.load
// CHECK: anvil_kernel.dispatch @kernel_0(%arg1, %arg0)
func.func @main(%arg0: memref<2xf32>, %arg1: memref<4xf32>) {
  %c1 = arith.constant 1 : index
  %on = memref.load %arg0[%c1] : memref<2xf32>
  linalg.fill ins(%on : f32) outs(%arg1 : memref<4xf32>)
  return
}

// -----

// Copies are kernels too (linalg.copy handles strided views).
// CHECK-LABEL: func.func @kernel_0
// CHECK: linalg.copy
// CHECK-LABEL: func.func @main
// CHECK: memref.subview
// CHECK: anvil_kernel.dispatch @kernel_0
func.func @main(%arg0: memref<4x8xf32>, %arg1: memref<4x4xf32>) {
  %v = memref.subview %arg0[0, 2] [4, 4] [1, 1] : memref<4x8xf32> to memref<4x4xf32, strided<[8, 1], offset: 2>>
  memref.copy %v, %arg1 : memref<4x4xf32, strided<[8, 1], offset: 2>> to memref<4x4xf32>
  return
}

// -----

// A loop read through floordiv (a GQA head index) is not spread over workgroups.
// CHECK-LABEL: func.func @kernel_0
// CHECK-SAME: distribute_dim = 1
func.func @main(%a: memref<3000x16xf32>, %b: memref<9000x16xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0 floordiv 3, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%a : memref<3000x16xf32>) outs(%b : memref<9000x16xf32>) {
  ^bb0(%x: f32, %y: f32):
    linalg.yield %x : f32
  }
  return
}

// -----

// The default config of a channels-last convolution (ResNet-50's layer3
// 3x3): register tiles of 7 pixels (they divide the 14-pixel row) by 32
// channels; cache blocks of 32 output channels (one register tile: 196 output
// pixels are few) by 256 input channels; split over workgroups by output
// channels (split by rows,
// each workgroup would read and pack all 2.4 MB of weights, more than the
// 0.5 MB of input and output it would save).
// CHECK-LABEL: func.func @kernel_0
// CHECK-SAME: #anvil_kernel.tuning<distribute_dim = 3, tile_sizes = [0, 0, 0, 32, 0, 0, 256], loop_order = [], vector_sizes = [7, 32, 4]>
// CHECK: linalg.conv_2d_nhwc_hwcf
func.func @main(%x: memref<1x16x16x256xf32>, %w: memref<3x3x256x256xf32>, %y: memref<1x14x14x256xf32>) {
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : memref<1x16x16x256xf32>, memref<3x3x256x256xf32>) outs(%y : memref<1x14x14x256xf32>)
  return
}

// -----

// A MobileNetV2 expand conv (28x28, 32 -> 192 channels): 24 KiB of weights,
// 0.7 MB of input and output. Split by rows: by channels each workgroup would
// stream every cache line of the output (half of each pixel's channels).
// 784 output pixels, a filter computed at run time (packed into panels on the
// stack): cache blocks of 64 channels.
// CHECK-LABEL: func.func @kernel_0
// CHECK-SAME: #anvil_kernel.tuning<distribute_dim = 1, tile_sizes = [0, 0, 0, 64, 0, 0, 256]
func.func @main(%x: memref<1x28x28x32xf32>, %w: memref<1x1x32x192xf32>, %y: memref<1x28x28x192xf32>) {
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : memref<1x28x28x32xf32>, memref<1x1x32x192xf32>) outs(%y : memref<1x28x28x192xf32>)
  return
}

// -----

// The same conv with a constant filter (stored as panels at compile time):
// each output sums only 32 products, so all 192 output channels are one
// block and each output row is written whole.
// CHECK-LABEL: func.func @kernel_0
// CHECK-SAME: #anvil_kernel.tuning<distribute_dim = 1, tile_sizes = [0, 0, 0, 192, 0, 0, 256]
memref.global "private" constant @w : memref<1x1x32x192xf32> = dense<1.0>
func.func @main(%x: memref<1x28x28x32xf32>, %y: memref<1x28x28x192xf32>) {
  %w = memref.get_global @w : memref<1x1x32x192xf32>
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : memref<1x28x28x32xf32>, memref<1x1x32x192xf32>) outs(%y : memref<1x28x28x192xf32>)
  return
}

// -----

// 144 output channels are not a multiple of the 32-channel register tile: the
// block is the 128 that whole tiles cover (the last 16 are a block of their
// own).
// CHECK-LABEL: func.func @kernel_0
// CHECK-SAME: #anvil_kernel.tuning<distribute_dim = 1, tile_sizes = [0, 0, 0, 128, 0, 0, 256], loop_order = [], vector_sizes = [8, 32, 4]>
memref.global "private" constant @w : memref<1x1x24x144xf32> = dense<1.0>
func.func @main(%x: memref<1x56x56x24xf32>, %y: memref<1x56x56x144xf32>) {
  %w = memref.get_global @w : memref<1x1x24x144xf32>
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : memref<1x56x56x24xf32>, memref<1x1x24x144xf32>) outs(%y : memref<1x56x56x144xf32>)
  return
}

// -----

// A longer reduction (ResNet-50's 28x28 1x1 512 -> 128: 512 products per
// output) keeps 64-channel blocks, constant filter or not; with a constant
// 1x1 filter, all 512 input channels are one reduction block (64 x 512
// floats: 128 KiB), one pass per output block.
// CHECK-LABEL: func.func @kernel_0
// CHECK-SAME: #anvil_kernel.tuning<distribute_dim = 1, tile_sizes = [0, 0, 0, 64, 0, 0, 512], loop_order = [], vector_sizes = [7, 32, 4]>
memref.global "private" constant @w : memref<1x1x512x128xf32> = dense<1.0>
func.func @main(%x: memref<1x28x28x512xf32>, %y: memref<1x28x28x128xf32>) {
  %w = memref.get_global @w : memref<1x1x512x128xf32>
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : memref<1x28x28x512xf32>, memref<1x1x512x128xf32>) outs(%y : memref<1x28x28x128xf32>)
  return
}

// -----

// A 1x1 filter whose one-pass block would take more than 256 KiB (64 x 2048
// floats: 512 KiB) keeps 256-channel reduction blocks.
// CHECK-LABEL: func.func @kernel_0
// CHECK-SAME: tile_sizes = [0, 0, 0, 64, 0, 0, 256]
memref.global "private" constant @w : memref<1x1x2048x128xf32> = dense<1.0>
func.func @main(%x: memref<1x28x28x2048xf32>, %y: memref<1x28x28x128xf32>) {
  %w = memref.get_global @w : memref<1x1x2048x128xf32>
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : memref<1x28x28x2048xf32>, memref<1x1x2048x128xf32>) outs(%y : memref<1x28x28x128xf32>)
  return
}
