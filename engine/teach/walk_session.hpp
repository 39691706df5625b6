// The walkthrough of a GPU network, one training step at a time: runs the step on the GPU,
// reads back what the walkthrough shows (parameters before and after, batch, pre-activations,
// activations, loss, dW, db) and steps through its operations. Used by gradtower render, record
// and live alike.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "teach/walkthrough.hpp"

namespace gt::gpu {
class Network;
}

namespace gt::teach {

// Runs the network's next training step on the GPU and reads back everything it computed.
StepValues run_step(gpu::Network& net);

class WalkSession {
 public:
  // Checks the limits (throws std::runtime_error), then runs and reads back one training step.
  explicit WalkSession(gpu::Network& net, uint32_t sample = 0);

  const Walkthrough& walk() const { return walk_; }
  size_t index() const { return index_; }
  size_t count() const { return walk_.steps.size(); }
  const Step& step() const { return walk_.steps[index_]; }
  uint32_t training_step() const { return walk_.values.step; }

  void go_to(size_t k);  // clamped to the steps
  void prev();           // stays at the first step of a training step
  // The next operation; past the update, the next training step (run on the GPU now).
  void next();
  // To the update step, which shows the new weights.
  void apply_update();

  // The learning rate of the update shown. It can be changed for plain SGD on a batch that is
  // the same every step (the step is then run again from the same parameters, so the forward
  // and backward values stay those shown); otherwise lr_fixed_reason() says why not.
  double lr() const { return walk_.values.train.lr; }
  std::string lr_fixed_reason() const;
  void set_lr(double lr);
  // The sample whose per-sample values are shown (0-based; throws when out of the batch).
  void set_sample(uint32_t sample);

 private:
  gpu::Network& net_;
  Walkthrough walk_;
  size_t index_ = 0;
};

}  // namespace gt::teach
