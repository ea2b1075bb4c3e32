// RUN: anvil-opt %s -anvil-signless-integers | FileCheck %s

// Unsigned tensors become signless; the no-op bitcasts go; the model's inputs and
// outputs remember their ONNX type.
// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[X:.+]]: tensor<4xi8> {anvil.element_type = ui8, anvil.name = "x"})
// CHECK-SAME: -> (tensor<4xi8> {anvil.element_type = ui8})
// CHECK-NOT: tensor.bitcast
// CHECK: %[[C:.+]] = arith.constant dense<[1, 2, 3, -1]> : tensor<4xi8>
// CHECK: linalg.generic {{.*}} ins(%[[X]], %[[C]] :
// CHECK: arith.divui
func.func @main(%arg0: tensor<4xui8> {anvil.name = "x"}) -> tensor<4xui8> {
  %c = arith.constant dense<[1, 2, 3, 255]> : tensor<4xui8>
  %0 = tensor.bitcast %arg0 : tensor<4xui8> to tensor<4xi8>
  %1 = tensor.bitcast %c : tensor<4xui8> to tensor<4xi8>
  %e = tensor.empty() : tensor<4xi8>
  %2 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                       iterator_types = ["parallel"]}
      ins(%0, %1 : tensor<4xi8>, tensor<4xi8>) outs(%e : tensor<4xi8>) {
  ^bb0(%a: i8, %b: i8, %o: i8):
    %d = arith.divui %a, %b : i8
    linalg.yield %d : i8
  } -> tensor<4xi8>
  %3 = tensor.bitcast %2 : tensor<4xi8> to tensor<4xui8>
  return %3 : tensor<4xui8>
}
