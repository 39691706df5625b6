// The frame API of Swapchain: acquire, then blit + submit + present (one frame in flight).
#include <stdexcept>

#include "render/window/swapchain.hpp"
#include "render/window/window.hpp"
#include "vk/check.hpp"
#include "vk/context.hpp"

namespace gt::render {

bool Swapchain::acquire() {
  if (acquired_) return true;
  const auto [w, h] = window_.framebuffer_size();
  if (w <= 0 || h <= 0) return false;
  if (out_of_date_ || !swapchain_ || w != window_w_ || h != window_h_) {
    recreate();
    if (out_of_date_) return false;
  }
  const VkResult r = vkAcquireNextImageKHR(ctx_.device(), swapchain_.handle(), UINT64_MAX,
                                           acquire_done_.handle(), VK_NULL_HANDLE, &image_index_);
  if (r == VK_ERROR_OUT_OF_DATE_KHR) {  // nothing was acquired, the semaphore stays unsignalled
    recreate();
    return false;
  }
  if (r != VK_SUCCESS && r != VK_SUBOPTIMAL_KHR)
    vk::fail("vkAcquireNextImageKHR", r, __FILE__, __LINE__);
  // Suboptimal still acquired the image and will signal the semaphore: present it, then recreate.
  if (r == VK_SUBOPTIMAL_KHR) out_of_date_ = true;
  acquired_ = true;
  return true;
}

void Swapchain::blit_submit_present(VkCommandBuffer cmd, VkImage src, uint32_t w, uint32_t h) {
  if (!acquired_)
    throw std::logic_error("Swapchain::blit_submit_present without a successful acquire()");
  const VkImage dst = images_[image_index_];
  const VkImageSubresourceRange range{VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
  // The presentation engine may read the image until the acquire semaphore signals; the submit
  // waits on it at the transfer stage, and starting this barrier at that stage chains the layout
  // change (old contents discarded) and the blit after that wait.
  VkImageMemoryBarrier to_dst{VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER};
  to_dst.srcAccessMask = 0;
  to_dst.dstAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
  to_dst.oldLayout = VK_IMAGE_LAYOUT_UNDEFINED;
  to_dst.newLayout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL;
  to_dst.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
  to_dst.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
  to_dst.image = dst;
  to_dst.subresourceRange = range;
  vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 0,
                       nullptr, 0, nullptr, 1, &to_dst);
  VkImageBlit blit{};
  blit.srcSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
  blit.srcOffsets[1] = {int32_t(w), int32_t(h), 1};
  blit.dstSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
  blit.dstOffsets[1] = {int32_t(extent_.width), int32_t(extent_.height), 1};
  vkCmdBlitImage(cmd, src, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, dst,
                 VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &blit, VK_FILTER_NEAREST);
  // The blit's writes must finish before presentation; the semaphore signalled after this batch
  // makes them visible to the presentation engine, so nothing waits here (bottom of pipe).
  VkImageMemoryBarrier to_present = to_dst;
  to_present.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
  to_present.dstAccessMask = 0;
  to_present.oldLayout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL;
  to_present.newLayout = VK_IMAGE_LAYOUT_PRESENT_SRC_KHR;
  vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, 0,
                       0, nullptr, 0, nullptr, 1, &to_present);
  GT_VK_CHECK(vkEndCommandBuffer(cmd));

  const VkPipelineStageFlags wait_stage = VK_PIPELINE_STAGE_TRANSFER_BIT;
  VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  submit.waitSemaphoreCount = 1;
  submit.pWaitSemaphores = acquire_done_.address();
  submit.pWaitDstStageMask = &wait_stage;
  submit.commandBufferCount = 1;
  submit.pCommandBuffers = &cmd;
  submit.signalSemaphoreCount = 1;
  submit.pSignalSemaphores = render_done_[image_index_].address();
  GT_VK_CHECK(vkResetFences(ctx_.device(), 1, fence_.address()));
  GT_VK_CHECK(vkQueueSubmit(ctx_.queue(), 1, &submit, fence_.handle()));
  acquired_ = false;  // the submission now waits on acquire_done_

  VkPresentInfoKHR present{VK_STRUCTURE_TYPE_PRESENT_INFO_KHR};
  present.waitSemaphoreCount = 1;
  present.pWaitSemaphores = render_done_[image_index_].address();
  present.swapchainCount = 1;
  present.pSwapchains = swapchain_.address();
  present.pImageIndices = &image_index_;
  const VkResult r = vkQueuePresentKHR(ctx_.queue(), &present);
  // Before anything can throw: the caller's command buffer and offscreen target are free again,
  // and acquire_done_ may be reused (the submission's wait on it is over).
  ctx_.wait_for(fence_.handle());
  if (r == VK_ERROR_OUT_OF_DATE_KHR || r == VK_SUBOPTIMAL_KHR)
    out_of_date_ = true;  // recreated by the next acquire() (not now: the window may be closing)
  else if (r != VK_SUCCESS)
    vk::fail("vkQueuePresentKHR", r, __FILE__, __LINE__);
}

}  // namespace gt::render
