// RUN: anvil-opt %s -split-input-file -verify-diagnostics

// A dispatch must name a function.
func.func @host(%a: memref<4xf32>) {
  // expected-error @below {{kernel 'missing' is not a function}}
  anvil_kernel.dispatch @missing(%a) : memref<4xf32>
  return
}

// -----

// A kernel takes the buffers plus the workgroup id and count.
func.func @k(%a: memref<4xf32>) {
  return
}
func.func @host(%a: memref<4xf32>) {
  // expected-error @below {{kernel 'k' must take 1 buffers plus (workgroup id, workgroup count) and return nothing}}
  anvil_kernel.dispatch @k(%a) : memref<4xf32>
  return
}

// -----

// Buffers must match the kernel's rank and element type.
func.func @k(%a: memref<4x4xf32>, %wg: index, %n: index) {
  return
}
func.func @host(%a: memref<4xf32>) {
  // expected-error @below {{buffer #0 has type 'memref<4xf32>' but the kernel expects 'memref<4x4xf32>'}}
  anvil_kernel.dispatch @k(%a) : memref<4xf32>
  return
}
