// Default register tiles follow the target's vector registers: two vectors wide, as many
// rows (up to 8) as leave room for the row of B and a broadcast next to the accumulators.
// RUN: anvil-opt %s -split-input-file -anvil-outline-dispatches="group-dispatches=false vector-lanes=8 vector-registers=16" | FileCheck %s --check-prefix=AVX2
// RUN: anvil-opt %s -split-input-file -anvil-outline-dispatches="group-dispatches=false vector-lanes=4 vector-registers=16" | FileCheck %s --check-prefix=SSE
// RUN: anvil-opt %s -split-input-file -anvil-outline-dispatches="group-dispatches=false" | FileCheck %s --check-prefix=AVX512
// RUN: not anvil-opt %s -split-input-file -anvil-outline-dispatches="vector-registers=2" 2>&1 | FileCheck %s --check-prefix=BAD
// A module whose constants total more than large-weights-bytes (32 MiB by default; the
// first case's weight is 512 KiB) finds its weights in memory on every run: a matmul
// whose columns are a multiple of four vectors gets 4 x 64 on AVX-512; AVX2's 16
// registers cannot hold a four-vector tile, it keeps 6 x 16; convolutions keep theirs.
// RUN: anvil-opt %s -split-input-file -anvil-outline-dispatches="group-dispatches=false large-weights-bytes=524287" | FileCheck %s --check-prefix=WIDE
// RUN: anvil-opt %s -split-input-file -anvil-outline-dispatches="group-dispatches=false large-weights-bytes=524288" | FileCheck %s --check-prefix=AT
// RUN: anvil-opt %s -split-input-file -anvil-outline-dispatches="group-dispatches=false vector-lanes=8 vector-registers=16 large-weights-bytes=1" | FileCheck %s --check-prefix=AVX2
// RUN: not anvil-opt %s -split-input-file -anvil-outline-dispatches="large-weights-bytes=-1" 2>&1 | FileCheck %s --check-prefix=NEGATIVE

// A matmul: 6 x 16 on AVX2 (12 of 16 ymm accumulate), 6 x 8 on SSE, 8 x 32 on AVX-512.
// AVX2-LABEL: func.func @kernel_0
// AVX2-SAME: vector_sizes = [6, 16, 4]
// SSE-LABEL: func.func @kernel_0
// SSE-SAME: vector_sizes = [6, 8, 4]
// AVX512-LABEL: func.func @kernel_0
// AVX512-SAME: vector_sizes = [8, 32, 4]
// BAD: error: -anvil-outline-dispatches: vector-lanes must be at least 1 and vector-registers at least 4
// WIDE-LABEL: func.func @kernel_0
// WIDE-SAME: tile_sizes = [64, 256, 1024], loop_order = [], vector_sizes = [4, 64, 4]
// AT-LABEL: func.func @kernel_0
// AT-SAME: vector_sizes = [8, 32, 4]
// A 7x7 conv with such weights: one 64-channel block of 4 + 3 pixel tiles (the first
// RUN makes its 9.4 MiB filter large weights; the 14x14 conv after it has none). Its
// merged filter rows would take 384 KiB a block (64 x 1536 floats): it takes all 512
// channels in one block instead (128 KiB), its tiles accumulating the nine taps.
// WIDE-LABEL: func.func @kernel_0
// WIDE-SAME: tile_sizes = [0, 0, 0, 64, 0, 0, 512], loop_order = [], vector_sizes = [4, 64, 4]
// WIDE-LABEL: func.func @kernel_0
// WIDE-SAME: vector_sizes = [7, 32, 4]
// NEGATIVE: error: -anvil-outline-dispatches: large-weights-bytes must not be negative
memref.global "private" constant @w : memref<256x512xf32> = dense<1.0>
func.func @main(%a: memref<128x256xf32>, %c: memref<128x512xf32>) {
  %w = memref.get_global @w : memref<256x512xf32>
  linalg.matmul ins(%a, %w : memref<128x256xf32>, memref<256x512xf32>) outs(%c : memref<128x512xf32>)
  return
}

// -----

// A 7x7 conv whose constant filter makes the module's weights large (with the first
// RUN's large-weights-bytes): 7 x 32 (one tile per row) by default, below; 4 + 3 on AVX2
// and SSE, whose registers hold no four-vector tile. Each filter row's three taps merge
// (kc = 3 x 512: 32 x 1536 floats, 192 KiB of packed weights a block).
// AVX2-LABEL: func.func @kernel_0
// AVX2-SAME: vector_sizes = [4, 16, 4]
// SSE-LABEL: func.func @kernel_0
// SSE-SAME: vector_sizes = [4, 8, 4]
// AVX512-LABEL: func.func @kernel_0
// AVX512-SAME: tile_sizes = [0, 0, 0, 32, 0, 0, 1536], loop_order = [], vector_sizes = [7, 32, 4]
memref.global "private" constant @f : memref<3x3x512x512xf32> = dense<1.0>
func.func @main(%x: memref<1x9x9x512xf32>, %y: memref<1x7x7x512xf32>) {
  %f = memref.get_global @f : memref<3x3x512x512xf32>
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %f : memref<1x9x9x512xf32>, memref<3x3x512x512xf32>) outs(%y : memref<1x7x7x512xf32>)
  return
}

// -----

// A channels-last conv's rows of pixels: the fewest tiles that cover an output row, as
// even as possible. 14-pixel rows: AVX-512's 7 x 32 (two tiles of 7); with 6 rows at
// most on AVX2 and SSE, three tiles: 5 + 5 + 4 (not 6 + 6 + 2).
// AVX2-LABEL: func.func @kernel_0
// AVX2-SAME: vector_sizes = [5, 16, 4]
// SSE-LABEL: func.func @kernel_0
// SSE-SAME: vector_sizes = [5, 8, 4]
// AVX512-LABEL: func.func @kernel_0
// AVX512-SAME: vector_sizes = [7, 32, 4]
func.func @main(%x: memref<1x16x16x256xf32>, %w: memref<3x3x256x256xf32>, %y: memref<1x14x14x256xf32>) {
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : memref<1x16x16x256xf32>, memref<3x3x256x256xf32>) outs(%y : memref<1x14x14x256xf32>)
  return
}

// -----

// 56-pixel rows: 8 x 32 on AVX-512 (8 divides 56); on AVX2 6 x 16 with an edge of 2, not
// the 4 x 16 that divides 56 (fewer FMAs per load: 1.13x slower on ResNet-50's 3x3 convs).
// AVX2-LABEL: func.func @kernel_0
// AVX2-SAME: vector_sizes = [6, 16, 4]
// SSE-LABEL: func.func @kernel_0
// SSE-SAME: vector_sizes = [6, 8, 4]
// AVX512-LABEL: func.func @kernel_0
// AVX512-SAME: vector_sizes = [8, 32, 4]
func.func @main(%x: memref<1x58x58x64xf32>, %w: memref<3x3x64x64xf32>, %y: memref<1x56x56x64xf32>) {
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : memref<1x58x58x64xf32>, memref<3x3x64x64xf32>) outs(%y : memref<1x56x56x64xf32>)
  return
}

// -----

// 20-pixel rows: three tiles of 7, 7 and 6 on AVX-512 (not four of 5, which divide 20);
// four of 5 on AVX2 and SSE. 7-pixel rows: one tile of 7 on AVX-512, 4 + 3 on AVX2 and SSE.
// AVX2-LABEL: func.func @kernel_0
// AVX2-SAME: vector_sizes = [5, 16, 4]
// AVX2-LABEL: func.func @kernel_1
// AVX2-SAME: vector_sizes = [4, 16, 4]
// SSE-LABEL: func.func @kernel_0
// SSE-SAME: vector_sizes = [5, 8, 4]
// SSE-LABEL: func.func @kernel_1
// SSE-SAME: vector_sizes = [4, 8, 4]
// AVX512-LABEL: func.func @kernel_0
// AVX512-SAME: vector_sizes = [7, 32, 4]
// AVX512-LABEL: func.func @kernel_1
// AVX512-SAME: vector_sizes = [7, 32, 4]
func.func @main(%x: memref<1x22x22x64xf32>, %w: memref<3x3x64x64xf32>, %y: memref<1x20x20x64xf32>,
                %x7: memref<1x9x9x64xf32>, %y7: memref<1x7x7x64xf32>) {
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : memref<1x22x22x64xf32>, memref<3x3x64x64xf32>) outs(%y : memref<1x20x20x64xf32>)
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x7, %w : memref<1x9x9x64xf32>, memref<3x3x64x64xf32>) outs(%y7 : memref<1x7x7x64xf32>)
  return
}

// -----

// Max pooling takes the depthwise conv's register tile.
// AVX2-LABEL: func.func @kernel_0
// AVX2-SAME: vector_sizes = [8, 8]
// SSE-LABEL: func.func @kernel_0
// SSE-SAME: vector_sizes = [8, 4]
// AVX512-LABEL: func.func @kernel_0
// AVX512-SAME: vector_sizes = [8, 16]
func.func @main(%x: memref<1x113x113x64xf32>, %w: memref<3x3xf32>, %y: memref<1x56x56x64xf32>) {
  linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%x, %w : memref<1x113x113x64xf32>, memref<3x3xf32>) outs(%y : memref<1x56x56x64xf32>)
  return
}

// -----

// A depthwise conv: 8 pixels by one vector of channels.
// AVX2-LABEL: func.func @kernel_0
// AVX2-SAME: vector_sizes = [8, 8]
// SSE-LABEL: func.func @kernel_0
// SSE-SAME: vector_sizes = [8, 4]
// AVX512-LABEL: func.func @kernel_0
// AVX512-SAME: vector_sizes = [8, 16]
func.func @main(%x: memref<1x58x58x64xf32>, %w: memref<3x3x64xf32>, %y: memref<1x56x56x64xf32>) {
  linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : memref<1x58x58x64xf32>, memref<3x3x64xf32>) outs(%y : memref<1x56x56x64xf32>)
  return
}

// -----

// A depthwise conv whose 14-pixel rows fit 32 registers takes each row in one
// tile (not 8 + 6); with 16 registers it keeps 8.
// AVX2-LABEL: func.func @kernel_0
// AVX2-SAME: vector_sizes = [8, 8]
// SSE-LABEL: func.func @kernel_0
// SSE-SAME: vector_sizes = [8, 4]
// AVX512-LABEL: func.func @kernel_0
// AVX512-SAME: vector_sizes = [14, 16]
func.func @main(%x: memref<1x16x16x64xf32>, %w: memref<3x3x64xf32>, %y: memref<1x14x14x64xf32>) {
  linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : memref<1x16x16x64xf32>, memref<3x3x64xf32>) outs(%y : memref<1x14x14x64xf32>)
  return
}

// -----

// A conv of few pixels (here 2 x 98) keeps one register tile of channels per block even
// when its short reduction (3 x 3 x 8) and constant filter would give other convs all of
// them (split by columns, not channels).
// AVX2-LABEL: func.func @kernel_0
// AVX2-SAME: tile_sizes = [0, 0, 0, 16, 0, 0, 256]
// SSE-LABEL: func.func @kernel_0
// SSE-SAME: tile_sizes = [0, 0, 0, 8, 0, 0, 256]
// AVX512-LABEL: func.func @kernel_0
// AVX512-SAME: distribute_dim = 2, tile_sizes = [0, 0, 0, 32, 0, 0, 256]
memref.global "private" constant @g : memref<3x3x8x64xf32> = dense<1.0>
func.func @main(%x: memref<1x4x100x8xf32>, %y: memref<1x2x98x64xf32>) {
  %g = memref.get_global @g : memref<3x3x8x64xf32>
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %g : memref<1x4x100x8xf32>, memref<3x3x8x64xf32>) outs(%y : memref<1x2x98x64xf32>)
  return
}
