#include "teach/walk_session.hpp"

#include <algorithm>
#include <stdexcept>

#include "gpu/network.hpp"

namespace gt::teach {

StepValues run_step(gpu::Network& net) {
  check_walkable(net.scene());
  StepValues v;
  v.before = net.params();  // finishes a step begun in pieces first
  v.step = net.steps_done();
  net.train(1);
  v.network = net.scene().network;
  v.train = net.scene().train;
  const gpu::Batch batch = net.batch();
  v.batch = batch.size;
  v.input = batch.input;
  v.target = batch.target;
  const uint32_t layers = net.plan().num_layers;
  for (uint32_t a = 0; a <= layers; ++a) {
    v.a.push_back(net.activations(a));
    if (a > 0) v.z.push_back(net.preactivations(a));
  }
  v.loss = net.loss();
  v.grads = net.grads();
  v.after = net.params();
  return v;
}

WalkSession::WalkSession(gpu::Network& net, uint32_t sample) : net_(net) {
  check_walkable(net.scene());
  if (sample >= net.scene().data.batch)
    throw std::runtime_error("--walk-sample " + std::to_string(sample + 1) + ": the batch has " +
                             std::to_string(net.scene().data.batch) + " sample(s)");
  walk_ = build_walkthrough(run_step(net_), sample);
}

void WalkSession::go_to(size_t k) {
  index_ = std::min(k, count() - 1);
}

void WalkSession::prev() {
  if (index_ > 0) --index_;
}

void WalkSession::next() {
  if (index_ + 1 < count()) {
    ++index_;
    return;
  }
  StepValues v = run_step(net_);
  v.step = walk_.values.step + 1;  // the GPU's counter also counts steps run again by set_lr
  walk_ = build_walkthrough(v, walk_.sample);
  index_ = 0;
}

void WalkSession::apply_update() {
  index_ = count() - 1;
}

std::string WalkSession::lr_fixed_reason() const {
  const net::Scene& s = net_.scene();
  if (s.train.optimizer != net::Optimizer::sgd)
    return "the learning rate is the scene's here: " +
           std::string(net::to_string(s.train.optimizer)) +
           " keeps state that running the step again would lose";
  if (!s.data.same_batch_each_step())
    return "the learning rate is the scene's here: the batch changes every step (use inline data "
           "or data.fixed = true)";
  return {};
}

void WalkSession::set_lr(double lr) {
  if (!(lr > 0)) throw std::runtime_error("the learning rate must be positive");
  if (lr == this->lr()) return;
  const std::string reason = lr_fixed_reason();
  if (!reason.empty()) throw std::runtime_error(reason);
  // Run the step again from the parameters it started from: same batch, same forward and
  // backward values, the GPU's update with the new rate. The GPU's step counter goes on.
  net::TrainSpec train = net_.scene().train;
  train.lr = lr;
  net_.set_params(walk_.values.before);
  net_.set_train(train);
  StepValues v = run_step(net_);
  v.step = walk_.values.step;
  walk_ = build_walkthrough(v, walk_.sample);
}

void WalkSession::set_sample(uint32_t sample) {
  walk_ = build_walkthrough(walk_.values, sample);
}

}  // namespace gt::teach
