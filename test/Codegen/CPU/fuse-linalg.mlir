// RUN: anvil-opt %s -split-input-file -anvil-fuse-linalg | FileCheck %s

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>

// A bias add after a zero-initialized matmul becomes the matmul's starting
// value (the bias broadcast over rows); the add is gone.
// CHECK-LABEL: func.func @bias_into_matmul
// CHECK: %[[E:.+]] = tensor.empty
// CHECK: %[[INIT:.+]] = linalg.generic {{.*}} ins(%arg2 : tensor<64xf32>) outs(%[[E]]
// CHECK: %[[MM:.+]] = linalg.matmul ins(%arg0, %arg1 : {{.*}}) outs(%[[INIT]] :
// CHECK-NOT: arith.addf
// CHECK: return %[[MM]]
func.func @bias_into_matmul(%a: tensor<8x32xf32>, %b: tensor<32x64xf32>, %bias: tensor<64xf32>) -> tensor<8x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x64xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<8x64xf32>) -> tensor<8x64xf32>
  %mm = linalg.matmul ins(%a, %b : tensor<8x32xf32>, tensor<32x64xf32>) outs(%z : tensor<8x64xf32>) -> tensor<8x64xf32>
  %e2 = tensor.empty() : tensor<8x64xf32>
  %r = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%mm, %bias : tensor<8x64xf32>, tensor<64xf32>) outs(%e2 : tensor<8x64xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<8x64xf32>
  return %r : tensor<8x64xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>

// Must not fire: the matmul result has another user, which must see it
// without the bias.
// CHECK-LABEL: func.func @matmul_used_twice
// CHECK: linalg.fill
// CHECK: linalg.matmul
// CHECK: arith.addf
func.func @matmul_used_twice(%a: tensor<8x32xf32>, %b: tensor<32x64xf32>, %bias: tensor<64xf32>) -> (tensor<8x64xf32>, tensor<8x64xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x64xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<8x64xf32>) -> tensor<8x64xf32>
  %mm = linalg.matmul ins(%a, %b : tensor<8x32xf32>, tensor<32x64xf32>) outs(%z : tensor<8x64xf32>) -> tensor<8x64xf32>
  %e2 = tensor.empty() : tensor<8x64xf32>
  %r = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%mm, %bias : tensor<8x64xf32>, tensor<64xf32>) outs(%e2 : tensor<8x64xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<8x64xf32>
  return %r, %mm : tensor<8x64xf32>, tensor<8x64xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>

// Must not fire: the matmul starts from 1.0, not zero.
// CHECK-LABEL: func.func @nonzero_init
// CHECK: linalg.fill
// CHECK: linalg.matmul
// CHECK: arith.addf
func.func @nonzero_init(%a: tensor<8x32xf32>, %b: tensor<32x64xf32>, %c: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %one = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<8x64xf32>
  %z = linalg.fill ins(%one : f32) outs(%e : tensor<8x64xf32>) -> tensor<8x64xf32>
  %mm = linalg.matmul ins(%a, %b : tensor<8x32xf32>, tensor<32x64xf32>) outs(%z : tensor<8x64xf32>) -> tensor<8x64xf32>
  %e2 = tensor.empty() : tensor<8x64xf32>
  %r = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%mm, %c : tensor<8x64xf32>, tensor<8x64xf32>) outs(%e2 : tensor<8x64xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<8x64xf32>
  return %r : tensor<8x64xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>

// An elementwise chain (mul, then max with 0) is one generic; a producer
// with two users is not fused (it would be computed twice).
// CHECK-LABEL: func.func @chain
// CHECK: %[[T:.+]] = linalg.generic
// CHECK: arith.addf
// CHECK: %[[U:.+]] = linalg.generic {{.*}} ins(%[[T]]
// CHECK: arith.mulf
// CHECK: arith.maximumf
// CHECK-NOT: linalg.generic
// CHECK: return %[[U]], %[[T]]
func.func @chain(%a: tensor<8x64xf32>) -> (tensor<8x64xf32>, tensor<8x64xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x64xf32>
  %t = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<8x64xf32>) outs(%e : tensor<8x64xf32>) {
  ^bb0(%x: f32, %o: f32):
    %one = arith.constant 1.0 : f32
    %s = arith.addf %x, %one : f32
    linalg.yield %s : f32
  } -> tensor<8x64xf32>
  %e1 = tensor.empty() : tensor<8x64xf32>
  %m = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%t : tensor<8x64xf32>) outs(%e1 : tensor<8x64xf32>) {
  ^bb0(%x: f32, %o: f32):
    %s = arith.mulf %x, %x : f32
    linalg.yield %s : f32
  } -> tensor<8x64xf32>
  %e2 = tensor.empty() : tensor<8x64xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%m : tensor<8x64xf32>) outs(%e2 : tensor<8x64xf32>) {
  ^bb0(%x: f32, %o: f32):
    %s = arith.maximumf %x, %zero : f32
    linalg.yield %s : f32
  } -> tensor<8x64xf32>
  return %r, %t : tensor<8x64xf32>, tensor<8x64xf32>
}

// -----

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>

// A zero pad of a relu becomes fills of the padded shape's border, made
// before the relu, and an insert of the relu into the interior (so that
// bufferization, after empty-tensor elimination, has the relu write the
// interior, which is never filled). Also when the relu has another user.
// The border slabs: rows 0 and 9 whole, then columns 0 and 9 of rows 1-8.
// CHECK-LABEL: func.func @pad_into_producer
// CHECK: %[[E:.+]] = tensor.empty() : tensor<1x8x10x10xf32>
// CHECK-NOT: linalg.fill {{.*}} -> tensor<1x8x10x10xf32>
// CHECK: %[[T:.+]] = linalg.fill {{.*}} -> tensor<1x8x1x10xf32>
// CHECK: %[[F1:.+]] = tensor.insert_slice %[[T]] into %[[E]][0, 0, 0, 0] [1, 8, 1, 10]
// CHECK: %[[B:.+]] = linalg.fill {{.*}} -> tensor<1x8x1x10xf32>
// CHECK: %[[F2:.+]] = tensor.insert_slice %[[B]] into %[[F1]][0, 0, 9, 0] [1, 8, 1, 10]
// CHECK: %[[L:.+]] = linalg.fill {{.*}} -> tensor<1x8x8x1xf32>
// CHECK: %[[F3:.+]] = tensor.insert_slice %[[L]] into %[[F2]][0, 0, 1, 0] [1, 8, 8, 1]
// CHECK: %[[RT:.+]] = linalg.fill {{.*}} -> tensor<1x8x8x1xf32>
// CHECK: %[[F:.+]] = tensor.insert_slice %[[RT]] into %[[F3]][0, 0, 1, 9] [1, 8, 8, 1]
// CHECK: %[[R:.+]] = linalg.generic
// CHECK: %[[P:.+]] = tensor.insert_slice %[[R]] into %[[F]][0, 0, 1, 1] [1, 8, 8, 8] [1, 1, 1, 1]
// CHECK-NOT: tensor.pad
// CHECK: return %[[P]], %[[R]]
func.func @pad_into_producer(%a: tensor<1x8x8x8xf32>) -> (tensor<1x8x10x10xf32>, tensor<1x8x8x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x8x8x8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%a : tensor<1x8x8x8xf32>) outs(%e : tensor<1x8x8x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %s = arith.maximumf %x, %zero : f32
    linalg.yield %s : f32
  } -> tensor<1x8x8x8xf32>
  %p = tensor.pad %r low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x8x8x8xf32> to tensor<1x8x10x10xf32>
  return %p, %r : tensor<1x8x10x10xf32>, tensor<1x8x8x8xf32>
}

// -----

// Must not fire: the padded value is a function argument (no producer to
// write into the padded buffer); the pad stays.
// CHECK-LABEL: func.func @pad_of_argument
// CHECK: tensor.pad
func.func @pad_of_argument(%a: tensor<1x8x8x8xf32>) -> tensor<1x8x10x10xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %a low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x8x8x8xf32> to tensor<1x8x10x10xf32>
  return %p : tensor<1x8x10x10xf32>
}

// -----

// A zero fill that two matmuls accumulate into is duplicated, one per
// matmul, so that bufferization gives each its own buffer without a copy.
// CHECK-LABEL: func.func @shared_init
// CHECK-COUNT-2: linalg.fill
// CHECK: linalg.matmul {{.*}} outs(%[[O1:[0-9]+]] :
// CHECK-NOT: outs(%[[O1]] :
// CHECK: return
func.func @shared_init(%a: tensor<8x32xf32>, %b: tensor<32x64xf32>, %c: tensor<32x64xf32>) -> (tensor<8x64xf32>, tensor<8x64xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x64xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<8x64xf32>) -> tensor<8x64xf32>
  %m1 = linalg.matmul ins(%a, %b : tensor<8x32xf32>, tensor<32x64xf32>) outs(%z : tensor<8x64xf32>) -> tensor<8x64xf32>
  %m2 = linalg.matmul ins(%a, %c : tensor<8x32xf32>, tensor<32x64xf32>) outs(%z : tensor<8x64xf32>) -> tensor<8x64xf32>
  return %m1, %m2 : tensor<8x64xf32>, tensor<8x64xf32>
}

// -----

#p = affine_map<(b, m, n, k) -> (b, m, k)>
#v = affine_map<(b, m, n, k) -> (b, k, n)>
#o = affine_map<(b, m, n, k) -> (b, m, n)>
#id3 = affine_map<(b, m, k) -> (b, m, k)>
#row = affine_map<(b, m, k) -> (b, m)>

// Softmax's division does not fuse into attention's P x V: the contraction
// reads each P element once per output column, and would divide that often
// (and stop being a contraction). It still fuses into a row reduction, which
// reads each element once.
// CHECK-LABEL: func.func @no_fusion_into_contraction
// CHECK: %[[P:.+]] = linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel"]
// CHECK: arith.divf
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[P]], %arg2
// CHECK-NOT: arith.divf
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg1
// CHECK: arith.divf
// CHECK: arith.addf
func.func @no_fusion_into_contraction(%s: tensor<2x8x16xf32>, %sum: tensor<2x8xf32>, %vv: tensor<2x16x32xf32>) -> (tensor<2x8x32xf32>, tensor<2x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x8x16xf32>
  %p = linalg.generic {indexing_maps = [#id3, #row, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s, %sum : tensor<2x8x16xf32>, tensor<2x8xf32>) outs(%e : tensor<2x8x16xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %d = arith.divf %x, %y : f32
    linalg.yield %d : f32
  } -> tensor<2x8x16xf32>
  %e1 = tensor.empty() : tensor<2x8x32xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e1 : tensor<2x8x32xf32>) -> tensor<2x8x32xf32>
  %r = linalg.generic {indexing_maps = [#p, #v, #o], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%p, %vv : tensor<2x8x16xf32>, tensor<2x16x32xf32>) outs(%z : tensor<2x8x32xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %m = arith.mulf %x, %y : f32
    %a = arith.addf %o, %m : f32
    linalg.yield %a : f32
  } -> tensor<2x8x32xf32>
  %e2 = tensor.empty() : tensor<2x8x16xf32>
  %q = linalg.generic {indexing_maps = [#id3, #row, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s, %sum : tensor<2x8x16xf32>, tensor<2x8xf32>) outs(%e2 : tensor<2x8x16xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %d = arith.divf %x, %y : f32
    linalg.yield %d : f32
  } -> tensor<2x8x16xf32>
  %e3 = tensor.empty() : tensor<2x8xf32>
  %z2 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<2x8xf32>) -> tensor<2x8xf32>
  %t = linalg.generic {indexing_maps = [#id3, #row], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%q : tensor<2x8x16xf32>) outs(%z2 : tensor<2x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %a = arith.addf %o, %x : f32
    linalg.yield %a : f32
  } -> tensor<2x8xf32>
  return %r, %t : tensor<2x8x32xf32>, tensor<2x8xf32>
}
