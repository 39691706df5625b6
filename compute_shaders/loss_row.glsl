// One sample's loss and whether its largest output is its target's, read from the including
// shader's x_out (the last layer's X) and target buffers. The loss is, term for term, loss.comp's
// expression (mse: the mean of (x - y)^2 over the outputs; cross_entropy: -sum_j y_j log
// softmax(x)_j, the log-sum-exp taken from the largest x).

float sample_loss(uint row, uint trow, uint n) {
  float row_loss = 0.0;
  if (g.loss == GT_LOSS_MSE) {
    for (uint j = 0u; j < n; ++j) {
      float diff = x_out[row + j] - target[trow + j];
      row_loss += diff * diff;
    }
    return row_loss / float(n);
  }
  float m = x_out[row];
  for (uint j = 1u; j < n; ++j) m = max(m, x_out[row + j]);
  float se = 0.0;
  for (uint j = 0u; j < n; ++j) se += exp(x_out[row + j] - m);
  float lse = m + log(se);
  for (uint j = 0u; j < n; ++j) row_loss -= target[trow + j] * (x_out[row + j] - lse);
  return row_loss;
}

// The first index of the largest output against the first index of the largest target (ties go
// to the lower index, as torch.argmax). A row with a non-finite output is a miss.
bool top_matches(uint row, uint trow, uint n) {
  uint bx = 0u, bt = 0u;
  for (uint j = 0u; j < n; ++j)
    if (!is_finite(x_out[row + j])) return false;
  for (uint j = 1u; j < n; ++j) {
    if (x_out[row + j] > x_out[row + bx]) bx = j;
    if (target[trow + j] > target[trow + bt]) bt = j;
  }
  return bx == bt;
}
