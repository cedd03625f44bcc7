// Asynchronous gossip for neural models: local SGD decoupled from randomized pairwise gossip.
// S. Boyd, A. Ghosh, B. Prabhakar, D. Shah, "Randomized Gossip Algorithms", IEEE Trans. Inf.
// Theory 52(6), 2006 (asynchronous time model: every node has a Poisson clock; when it ticks the
// node averages with a uniformly chosen neighbour, x_i = x_j = (x_i + x_j) / 2), combined with
// local SGD as in the decoupled schemes of A2CiD2 (Nabli, Belilovsky, Oyallon, NeurIPS 2023)
// without their momentum-like x~ terms.
//
//   every node i runs two independent processes:
//     computation: read x^ = x_i, run local_steps minibatch steps from it (the device's time),
//                  then x_i <- x_i + (y - x^)   (its update, applied to the model as it is now)
//     gossip:      at the ticks of a Poisson clock of rate gossip_rate per second, pick a
//                  neighbour j that is on, exchange models (one message each way, both locked
//                  as in AD-PSGD) and set x_i = x_j = (x_i + x_j) / 2
// Card decentralized.md, "Gossip averaging": each pairwise step W_e = I - b_e b_e^T / 2 is a
// symmetric projection, so without computation E||x(t+1) - x-bar||^2 <= (1 - lambda_2(L) /
// (2|E|)) ||x(t) - x-bar||^2 per tick of a uniformly drawn edge.
#pragma once
#include "algorithms/decentralized/ad_psgd.hpp"
