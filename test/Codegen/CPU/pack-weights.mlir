// RUN: anvil-opt %s -split-input-file -anvil-pack-weights -mlir-print-elementsattrs-with-hex-if-larger=1000 | FileCheck %s

// A constant weight that only a packed matmul reads ([2 x 64], 32-column
// register tiles) is stored as two panels: row 0 holds columns 0..31 of
// rows 0 and 1 (0..31, 64..95), then columns 32..63 of both rows.
// CHECK-LABEL: memref.global "private" constant @w : memref<2x64xf32>
// CHECK-SAME: dense<{{\[\[}}0.000000e+00, 1.000000e+00, {{.*}}, 3.100000e+01, 6.400000e+01, 6.500000e+01, {{.*}}, 9.500000e+01{{\]}}, {{\[}}3.200000e+01, {{.*}}, 6.300000e+01, 9.600000e+01
// CHECK-SAME: {{alignment = 64 : i64, anvil_kernel.packed_panels = 32 : i64}}
// CHECK: func.func @kernel_0(%{{.*}}: memref<?x2xf32>, %{{.*}}: memref<2x64xf32> {{[{]}}anvil_kernel.packed_panels = 32 : i64{{[}]}}, %{{.*}}: memref<?x64xf32>,
module {
  memref.global "private" constant @w : memref<2x64xf32> = dense<[[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0, 32.0, 33.0, 34.0, 35.0, 36.0, 37.0, 38.0, 39.0, 40.0, 41.0, 42.0, 43.0, 44.0, 45.0, 46.0, 47.0, 48.0, 49.0, 50.0, 51.0, 52.0, 53.0, 54.0, 55.0, 56.0, 57.0, 58.0, 59.0, 60.0, 61.0, 62.0, 63.0], [64.0, 65.0, 66.0, 67.0, 68.0, 69.0, 70.0, 71.0, 72.0, 73.0, 74.0, 75.0, 76.0, 77.0, 78.0, 79.0, 80.0, 81.0, 82.0, 83.0, 84.0, 85.0, 86.0, 87.0, 88.0, 89.0, 90.0, 91.0, 92.0, 93.0, 94.0, 95.0, 96.0, 97.0, 98.0, 99.0, 100.0, 101.0, 102.0, 103.0, 104.0, 105.0, 106.0, 107.0, 108.0, 109.0, 110.0, 111.0, 112.0, 113.0, 114.0, 115.0, 116.0, 117.0, 118.0, 119.0, 120.0, 121.0, 122.0, 123.0, 124.0, 125.0, 126.0, 127.0]]> {alignment = 64 : i64}
  func.func @kernel_0(%a: memref<?x2xf32>, %b: memref<2x64xf32>, %c: memref<?x64xf32>, %wg: index, %n: index) attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = 1, tile_sizes = [64, 64, 256], loop_order = [], vector_sizes = [8, 32, 1]>} {
    linalg.matmul ins(%a, %b : memref<?x2xf32>, memref<2x64xf32>) outs(%c : memref<?x64xf32>)
    return
  }
  func.func @main(%x: memref<?x2xf32>, %y: memref<?x64xf32>) {
    %0 = memref.get_global @w : memref<2x64xf32>
    %c64 = arith.constant 64 : index
    anvil_kernel.dispatch @kernel_0(%x, %0, %y) grid(%c64) : memref<?x2xf32>, memref<2x64xf32>, memref<?x64xf32>
    return
  }
}

// -----

// Left alone: a weight the host also reads, a kernel argument that another
// dispatch feeds from a computed buffer, a matmul of 8 rows (not packed),
// and one whose config has no register tile.
// CHECK-LABEL: memref.global "private" constant @w1
// CHECK-NOT: packed_panels
module {
  memref.global "private" constant @w1 : memref<2x64xf32> = dense<1.0> {alignment = 64 : i64}
  memref.global "private" constant @w2 : memref<2x64xf32> = dense<2.0> {alignment = 64 : i64}
  memref.global "private" constant @w3 : memref<2x64xf32> = dense<3.0> {alignment = 64 : i64}
  memref.global "private" constant @w4 : memref<2x64xf32> = dense<4.0> {alignment = 64 : i64}
  func.func @kernel_0(%a: memref<?x2xf32>, %b: memref<2x64xf32>, %c: memref<?x64xf32>, %wg: index, %n: index) attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = 1, tile_sizes = [64, 64, 256], loop_order = [], vector_sizes = [8, 32, 1]>} {
    linalg.matmul ins(%a, %b : memref<?x2xf32>, memref<2x64xf32>) outs(%c : memref<?x64xf32>)
    return
  }
  func.func @kernel_1(%a: memref<?x2xf32>, %b: memref<2x64xf32>, %c: memref<?x64xf32>, %wg: index, %n: index) attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = 1, tile_sizes = [64, 64, 256], loop_order = [], vector_sizes = [8, 32, 1]>} {
    linalg.matmul ins(%a, %b : memref<?x2xf32>, memref<2x64xf32>) outs(%c : memref<?x64xf32>)
    return
  }
  func.func @kernel_2(%a: memref<8x2xf32>, %b: memref<2x64xf32>, %c: memref<8x64xf32>, %wg: index, %n: index) attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = 1, tile_sizes = [64, 64, 256], loop_order = [], vector_sizes = [8, 32, 1]>} {
    linalg.matmul ins(%a, %b : memref<8x2xf32>, memref<2x64xf32>) outs(%c : memref<8x64xf32>)
    return
  }
  func.func @kernel_3(%a: memref<?x2xf32>, %b: memref<2x64xf32>, %c: memref<?x64xf32>, %wg: index, %n: index) attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = 1, tile_sizes = [], loop_order = []>} {
    linalg.matmul ins(%a, %b : memref<?x2xf32>, memref<2x64xf32>) outs(%c : memref<?x64xf32>)
    return
  }
  func.func @main(%x: memref<?x2xf32>, %x8: memref<8x2xf32>, %y: memref<?x64xf32>, %y8: memref<8x64xf32>, %z: memref<2x64xf32>) {
    %c64 = arith.constant 64 : index
    %0 = memref.get_global @w1 : memref<2x64xf32>
    anvil_kernel.dispatch @kernel_0(%x, %0, %y) grid(%c64) : memref<?x2xf32>, memref<2x64xf32>, memref<?x64xf32>
    memref.copy %0, %z : memref<2x64xf32> to memref<2x64xf32>
    %1 = memref.get_global @w2 : memref<2x64xf32>
    anvil_kernel.dispatch @kernel_1(%x, %1, %y) grid(%c64) : memref<?x2xf32>, memref<2x64xf32>, memref<?x64xf32>
    anvil_kernel.dispatch @kernel_1(%x, %z, %y) grid(%c64) : memref<?x2xf32>, memref<2x64xf32>, memref<?x64xf32>
    %2 = memref.get_global @w3 : memref<2x64xf32>
    anvil_kernel.dispatch @kernel_2(%x8, %2, %y8) grid(%c64) : memref<8x2xf32>, memref<2x64xf32>, memref<8x64xf32>
    %3 = memref.get_global @w4 : memref<2x64xf32>
    anvil_kernel.dispatch @kernel_3(%x, %3, %y) grid(%c64) : memref<?x2xf32>, memref<2x64xf32>, memref<?x64xf32>
    return
  }
}

// -----

// A convolution's constant [KH][KW][C][F] filter ([1][2][1][32], 16-column
// register tiles) is stored as the panels of each filter row's [KW*C x F]
// matrix: panel 0 holds filters 0..15 of taps kw = 0 and 1 (0..15, 32..47),
// panel 1 filters 16..31 (16..31, 48..63).
// CHECK-LABEL: memref.global "private" constant @filter : memref<1x2x1x32xf32>
// CHECK-SAME: dense<{{\[\[\[\[}}0.000000e+00, 1.000000e+00, {{.*}}, 1.500000e+01, 3.200000e+01, {{.*}}, 4.700000e+01{{\]\]}}, {{\[\[}}1.600000e+01, {{.*}}, 3.100000e+01, 4.800000e+01, {{.*}}, 6.300000e+01{{\]\]\]\]}}>
// CHECK-SAME: {{alignment = 64 : i64, anvil_kernel.packed_panels = 16 : i64}}
// CHECK: func.func @kernel_0(%{{.*}}: memref<1x4x5x1xf32>, %{{.*}}: memref<1x2x1x32xf32> {{[{]}}anvil_kernel.packed_panels = 16 : i64{{[}]}}, %{{.*}}: memref<1x4x4x32xf32>,
module {
  memref.global "private" constant @filter : memref<1x2x1x32xf32> = dense<[[[[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0]], [[32.0, 33.0, 34.0, 35.0, 36.0, 37.0, 38.0, 39.0, 40.0, 41.0, 42.0, 43.0, 44.0, 45.0, 46.0, 47.0, 48.0, 49.0, 50.0, 51.0, 52.0, 53.0, 54.0, 55.0, 56.0, 57.0, 58.0, 59.0, 60.0, 61.0, 62.0, 63.0]]]]> {alignment = 64 : i64}
  func.func @kernel_0(%x: memref<1x4x5x1xf32>, %w: memref<1x2x1x32xf32>, %y: memref<1x4x4x32xf32>, %wg: index, %n: index) attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = 3, tile_sizes = [0, 0, 0, 32, 0, 0, 64], loop_order = [], vector_sizes = [4, 16, 1]>} {
    linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : memref<1x4x5x1xf32>, memref<1x2x1x32xf32>) outs(%y : memref<1x4x4x32xf32>)
    return
  }
  func.func @main(%x: memref<1x4x5x1xf32>, %y: memref<1x4x4x32xf32>) {
    %0 = memref.get_global @filter : memref<1x2x1x32xf32>
    %c32 = arith.constant 32 : index
    anvil_kernel.dispatch @kernel_0(%x, %0, %y) grid(%c32) : memref<1x4x5x1xf32>, memref<1x2x1x32xf32>, memref<1x4x4x32xf32>
    return
  }
}

// -----

// Left alone: a filter whose output channels (24) are not a multiple of the
// register tile's columns (16) packs its last block at run time.
// CHECK-LABEL: memref.global "private" constant @filter24
// CHECK-NOT: packed_panels
module {
  memref.global "private" constant @filter24 : memref<1x1x1x24xf32> = dense<1.0> {alignment = 64 : i64}
  func.func @kernel_0(%x: memref<1x4x4x1xf32>, %w: memref<1x1x1x24xf32>, %y: memref<1x4x4x24xf32>, %wg: index, %n: index) attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = 3, tile_sizes = [0, 0, 0, 32, 0, 0, 64], loop_order = [], vector_sizes = [4, 16, 1]>} {
    linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : memref<1x4x4x1xf32>, memref<1x1x1x24xf32>) outs(%y : memref<1x4x4x24xf32>)
    return
  }
  func.func @main(%x: memref<1x4x4x1xf32>, %y: memref<1x4x4x24xf32>) {
    %0 = memref.get_global @filter24 : memref<1x1x1x24xf32>
    %c24 = arith.constant 24 : index
    anvil_kernel.dispatch @kernel_0(%x, %0, %y) grid(%c24) : memref<1x4x4x1xf32>, memref<1x1x1x24xf32>, memref<1x4x4x24xf32>
    return
  }
}

// -----

// 40 columns are not a multiple of the 32-column tiles: the weight grows to two
// whole panels ([2 x 64]: columns 32..39 of both rows, then zeros), the host
// reads its first 40 columns as a view (rows 64 apart), and so does the kernel.
// CHECK-LABEL: memref.global "private" constant @w : memref<2x64xf32>
// CHECK-SAME: dense<{{\[\[}}0.000000e+00, {{.*}}, 3.100000e+01, 4.000000e+01, {{.*}}, 7.100000e+01{{\]}}, {{\[}}3.200000e+01, {{.*}}, 3.900000e+01, 0.000000e+00, {{.*}}, 0.000000e+00, 7.200000e+01, {{.*}}, 7.900000e+01, 0.000000e+00,
// CHECK-SAME: {{alignment = 64 : i64, anvil_kernel.packed_panels = 32 : i64}}
// CHECK: func.func @kernel_0(%{{.*}}: memref<?x2xf32>, %{{.*}}: memref<2x40xf32, strided<[64, 1]>> {{[{]}}anvil_kernel.packed_panels = 32 : i64{{[}]}}, %{{.*}}: memref<?x40xf32>,
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : memref<?x2xf32>, memref<2x40xf32, strided<[64, 1]>>)
// CHECK: %[[G:.+]] = memref.get_global @w : memref<2x64xf32>
// CHECK: %[[V:.+]] = memref.subview %[[G]][0, 0] [2, 40] [1, 1] : memref<2x64xf32> to memref<2x40xf32, strided<[64, 1]>>
// CHECK: anvil_kernel.dispatch @kernel_0(%{{.*}}, %[[V]], %{{.*}}) grid(%{{.*}}) : memref<?x2xf32>, memref<2x40xf32, strided<[64, 1]>>, memref<?x40xf32>
module {
  memref.global "private" constant @w : memref<2x40xf32> = dense<[[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0, 32.0, 33.0, 34.0, 35.0, 36.0, 37.0, 38.0, 39.0], [40.0, 41.0, 42.0, 43.0, 44.0, 45.0, 46.0, 47.0, 48.0, 49.0, 50.0, 51.0, 52.0, 53.0, 54.0, 55.0, 56.0, 57.0, 58.0, 59.0, 60.0, 61.0, 62.0, 63.0, 64.0, 65.0, 66.0, 67.0, 68.0, 69.0, 70.0, 71.0, 72.0, 73.0, 74.0, 75.0, 76.0, 77.0, 78.0, 79.0]]> {alignment = 64 : i64}
  func.func @kernel_0(%a: memref<?x2xf32>, %b: memref<2x40xf32>, %c: memref<?x40xf32>, %wg: index, %n: index) attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = 1, tile_sizes = [64, 64, 256], loop_order = [], vector_sizes = [8, 32, 1]>} {
    linalg.matmul ins(%a, %b : memref<?x2xf32>, memref<2x40xf32>) outs(%c : memref<?x40xf32>)
    return
  }
  func.func @main(%x: memref<?x2xf32>, %y: memref<?x40xf32>) {
    %0 = memref.get_global @w : memref<2x40xf32>
    %c40 = arith.constant 40 : index
    anvil_kernel.dispatch @kernel_0(%x, %0, %y) grid(%c40) : memref<?x2xf32>, memref<2x40xf32>, memref<?x40xf32>
    return
  }
}

// -----

// Narrower than one panel (16 columns, 32-column tiles): left alone rather than
// stored twice over.
// CHECK-LABEL: memref.global "private" constant @w : memref<2x16xf32>
// CHECK-NOT: packed_panels
module {
  memref.global "private" constant @w : memref<2x16xf32> = dense<1.0> {alignment = 64 : i64}
  func.func @kernel_0(%a: memref<?x2xf32>, %b: memref<2x16xf32>, %c: memref<?x16xf32>, %wg: index, %n: index) attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = 1, tile_sizes = [64, 64, 256], loop_order = [], vector_sizes = [8, 32, 1]>} {
    linalg.matmul ins(%a, %b : memref<?x2xf32>, memref<2x16xf32>) outs(%c : memref<?x16xf32>)
    return
  }
  func.func @main(%x: memref<?x2xf32>, %y: memref<?x16xf32>) {
    %0 = memref.get_global @w : memref<2x16xf32>
    %c16 = arith.constant 16 : index
    anvil_kernel.dispatch @kernel_0(%x, %0, %y) grid(%c16) : memref<?x2xf32>, memref<2x16xf32>, memref<?x16xf32>
    return
  }
}
