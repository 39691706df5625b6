// Parameters, gradients and a batch as named safetensors tensors, in PyTorch's naming and layout
// (nn.Linear: weight [out, in], bias [out]), so a PyTorch user can bring or take weights.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "io/safetensors.hpp"
#include "net/init.hpp"
#include "net/spec.hpp"

namespace gt::io {

// layers.{i}.weight / layers.{i}.bias, i = 0 next to the input, and layers.{i}.norm.weight /
// layers.{i}.norm.bias (gamma, beta) of normalized layers.
std::vector<Tensor> params_to_tensors(const net::Params& params, const std::string& suffix = "");

struct StepDump {
  net::Params params;  // before the step's update
  net::Params grads;
  uint32_t batch = 0;
  std::vector<float> input;   // [batch][in]
  std::vector<float> target;  // [batch][out]
  float loss = 0;
};

std::vector<Tensor> dump_tensors(const StepDump& dump);

// Reads layers.{i}.weight / .bias (and .norm.weight / .norm.bias when spec has norm) for the
// network of `spec`; every missing tensor, wrong shape or value that is not finite is an Error
// naming the file and the tensor (and the value's index).
net::Params params_from_tensors(const std::vector<Tensor>& tensors, const net::NetworkSpec& spec,
                                const std::filesystem::path& file);

// params_from_tensors on a safetensors file, reading the data of the tensors the network needs
// only (with the shapes it needs): a file's other tensors cost no memory, whatever their size.
net::Params read_params(const std::filesystem::path& file, const net::NetworkSpec& spec);

}  // namespace gt::io
