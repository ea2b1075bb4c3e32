// RUN: anvil-opt %s | anvil-opt | FileCheck %s
// The dispatch op and the TuningConfig attribute round-trip.

// CHECK-LABEL: func.func @k
// CHECK-SAME: anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = 0, tile_sizes = [8, 0], loop_order = []>
func.func @k(%a: memref<?x4xf32>, %wg: index, %n: index)
    attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = 0, tile_sizes = [8, 0], loop_order = []>} {
  return
}
// CHECK-LABEL: func.func @host
// CHECK: anvil_kernel.dispatch @k(%{{.*}}) grid(%{{.*}}) : memref<?x4xf32>
// CHECK: anvil_kernel.dispatch @k(%{{.*}}) : memref<?x4xf32>
func.func @host(%a: memref<?x4xf32>, %n: index) {
  anvil_kernel.dispatch @k(%a) grid(%n) : memref<?x4xf32>
  anvil_kernel.dispatch @k(%a) : memref<?x4xf32>
  return
}
