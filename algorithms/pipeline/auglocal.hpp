// AugLocal — Ma, Wu, Si, Tan, "Scaling Supervised Local Learning with Augmented Auxiliary
// Networks", ICLR 2024, Sec. 3; code github.com/ChenxiangMA/AugLocal (networks/auxiliary_nets.py,
// config "unifSamp"); ../shared/cards/systems.md §4.
//
// Every layer l < n-1 of an n-layer network trains on its own loss CE(aux_l(h_l), y), where
// h_l = f_l(h_{l-1}.detach()): no gradient crosses a layer boundary, so each layer (hence each
// device of a pipeline) updates as soon as its own backward is done. The last layer trains
// with the network's real head. aux_l is built from the *architecture* of later layers, never
// their weights:
//   depth (pyramid, coefficient c):  d_l = max(1, round(d (1 - r_l) + r_l)), r_l = l c / (n - 2)
//   layers ("unifSamp"):             all of l+1 .. n-1 if d_l >= n-1-l, else
//                                    j_i = round(l + (n - l - 1) i / d_l), i = 1 .. d_l
//   then: a fresh layer of layer j_i's width for each j_i, global average pool, (BatchNorm1d
//   when d_l <= 1), linear to the classes.
// round() is Python's: halves go to the even integer (the card's trap), hence std::nearbyint.
// With one optimiser step per minibatch over all parameters (the code) or one per layer right
// after its backward (a pipeline), the weights are the same: each layer's gradient depends only
// on (theta_l, theta_aux_l, h_{l-1}, y).
//
// This file is the rule, as pure functions; the networks are built in
// workloads/models/torch_local_learning.cpp and timed in algorithms/pipeline/stage_plan.hpp.
#pragma once
#include <vector>

namespace flemu {

struct AugLocalParams {
  int aux_depth = 2;     ///< d: auxiliary depth of the first layer, layers
  double pyramid = 0.5;  ///< c: how much the depth falls towards the last layers, in [0, 1]
};

/// d_l for every layer l = 0 .. n-2 of an n-layer network (the last layer has no auxiliary net).
std::vector<int> auglocal_aux_depths(int layers, const AugLocalParams& p);

/// The later layers whose widths layer l's auxiliary network copies, in order.
std::vector<int> auglocal_aux_layers(int layer, int layers, int depth);

}  // namespace flemu
