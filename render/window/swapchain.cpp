#include "render/window/swapchain.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "render/window/window.hpp"
#include "vk/check.hpp"
#include "vk/context.hpp"

namespace gt::render {
namespace {

template <typename T, typename F>
std::vector<T> enumerate(F&& query) {
  uint32_t n = 0;
  GT_VK_CHECK(query(&n, static_cast<T*>(nullptr)));
  std::vector<T> out(n);
  GT_VK_CHECK(query(&n, out.data()));
  out.resize(n);
  return out;
}

// UNORM first: the offscreen image is RGBA8_UNORM holding sRGB-encoded bytes (the very bytes our
// PNG screenshots contain), and a blit between UNORM formats copies them unchanged, so the window
// shows exactly the screenshot. An _SRGB swapchain would encode them a second time.
VkSurfaceFormatKHR choose_format(const vk::Context& ctx,
                                 const std::vector<VkSurfaceFormatKHR>& formats) {
  auto can_blit_to = [&](VkFormat f) {
    VkFormatProperties p{};
    vkGetPhysicalDeviceFormatProperties(ctx.physical_device(), f, &p);
    return (p.optimalTilingFeatures & VK_FORMAT_FEATURE_BLIT_DST_BIT) != 0;
  };
  if (formats.size() == 1 && formats[0].format == VK_FORMAT_UNDEFINED)  // any format will do
    return {VK_FORMAT_B8G8R8A8_UNORM, VK_COLOR_SPACE_SRGB_NONLINEAR_KHR};
  for (const VkSurfaceFormatKHR& f : formats)
    if ((f.format == VK_FORMAT_B8G8R8A8_UNORM || f.format == VK_FORMAT_R8G8B8A8_UNORM) &&
        f.colorSpace == VK_COLOR_SPACE_SRGB_NONLINEAR_KHR && can_blit_to(f.format))
      return f;
  for (const VkSurfaceFormatKHR& f : formats)
    if (can_blit_to(f.format)) return f;
  throw vk::Error("none of the window's " + std::to_string(formats.size()) +
                  " surface formats can be a blit destination on " + ctx.info().name);
}

vk::Semaphore create_semaphore(const vk::Context& ctx, const std::string& name) {
  VkSemaphoreCreateInfo info{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
  VkSemaphore semaphore = VK_NULL_HANDLE;
  GT_VK_CHECK(vkCreateSemaphore(ctx.device(), &info, nullptr, &semaphore));
  vk::Semaphore owned(ctx.device(), semaphore);
  ctx.name(semaphore, VK_OBJECT_TYPE_SEMAPHORE, name);
  return owned;
}

}  // namespace

Swapchain::Swapchain(vk::Context& ctx, Window& window, VkSurfaceKHR surface, bool vsync)
    : ctx_(ctx), window_(window), surface_(surface), vsync_(vsync) {
  const VkPhysicalDevice pd = ctx.physical_device();
  VkBool32 can_present = VK_FALSE;
  GT_VK_CHECK(vkGetPhysicalDeviceSurfaceSupportKHR(pd, ctx.queue_family(), surface, &can_present));
  if (!can_present)
    throw vk::Error("the queue gradtower uses on " + ctx.info().name + " (family " +
                    std::to_string(ctx.queue_family()) +
                    ") cannot present to this window; choose another device with --device");
  formats_ = enumerate<VkSurfaceFormatKHR>([&](uint32_t* n, VkSurfaceFormatKHR* out) {
    return vkGetPhysicalDeviceSurfaceFormatsKHR(pd, surface, n, out);
  });
  present_modes_ = enumerate<VkPresentModeKHR>([&](uint32_t* n, VkPresentModeKHR* out) {
    return vkGetPhysicalDeviceSurfacePresentModesKHR(pd, surface, n, out);
  });
  format_ = choose_format(ctx, formats_);
  VkSurfaceCapabilitiesKHR caps{};
  GT_VK_CHECK(vkGetPhysicalDeviceSurfaceCapabilitiesKHR(pd, surface, &caps));
  if (!(caps.supportedUsageFlags & VK_IMAGE_USAGE_TRANSFER_DST_BIT))
    throw vk::Error("the window's swapchain images on " + ctx.info().name +
                    " cannot be a transfer destination, and gradtower blits its frames onto them");
  // Colour attachment too where offered, so overlays may one day draw straight into the image.
  usage_ = VK_IMAGE_USAGE_TRANSFER_DST_BIT |
           (caps.supportedUsageFlags & VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT);

  acquire_done_ = create_semaphore(ctx, "swapchain acquire");
  VkFenceCreateInfo fence_info{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  VkFence fence = VK_NULL_HANDLE;
  GT_VK_CHECK(vkCreateFence(ctx.device(), &fence_info, nullptr, &fence));
  fence_ = vk::Fence(ctx.device(), fence);
  ctx.name(fence, VK_OBJECT_TYPE_FENCE, "present fence");
  create();
}

// The members' owners destroy the semaphores, the fence and the swapchain after this.
Swapchain::~Swapchain() {
  vkDeviceWaitIdle(ctx_.device());
  release_pending_acquire();
}

VkPresentModeKHR Swapchain::choose_present_mode() const {
  auto offered = [&](VkPresentModeKHR m) {
    return std::find(present_modes_.begin(), present_modes_.end(), m) != present_modes_.end();
  };
  if (!vsync_) {
    if (offered(VK_PRESENT_MODE_MAILBOX_KHR)) return VK_PRESENT_MODE_MAILBOX_KHR;
    if (offered(VK_PRESENT_MODE_IMMEDIATE_KHR)) return VK_PRESENT_MODE_IMMEDIATE_KHR;
  }
  return VK_PRESENT_MODE_FIFO_KHR;  // every surface supports FIFO
}

void Swapchain::create() {
  // Until a swapchain is made: a failure (or a minimized window) retries at the next acquire().
  out_of_date_ = true;
  VkSurfaceCapabilitiesKHR caps{};
  GT_VK_CHECK(vkGetPhysicalDeviceSurfaceCapabilitiesKHR(ctx_.physical_device(), surface_, &caps));
  const auto [w, h] = window_.framebuffer_size();
  VkExtent2D extent = caps.currentExtent;
  if (extent.width == UINT32_MAX)  // the surface takes the swapchain's size: use the window's
    extent = {std::clamp(uint32_t(w), caps.minImageExtent.width, caps.maxImageExtent.width),
              std::clamp(uint32_t(h), caps.minImageExtent.height, caps.maxImageExtent.height)};
  if (w <= 0 || h <= 0 || extent.width == 0 || extent.height == 0)
    return;  // minimized: no swapchain can be 0x0
  uint32_t count = caps.minImageCount + 1;
  if (caps.maxImageCount != 0) count = std::min(count, caps.maxImageCount);
  present_mode_ = choose_present_mode();

  VkSwapchainCreateInfoKHR info{VK_STRUCTURE_TYPE_SWAPCHAIN_CREATE_INFO_KHR};
  info.surface = surface_;
  info.minImageCount = count;
  info.imageFormat = format_.format;
  info.imageColorSpace = format_.colorSpace;
  info.imageExtent = extent;
  info.imageArrayLayers = 1;
  info.imageUsage = usage_;
  info.imageSharingMode = VK_SHARING_MODE_EXCLUSIVE;
  info.preTransform = caps.currentTransform;
  info.compositeAlpha = VK_COMPOSITE_ALPHA_OPAQUE_BIT_KHR;
  for (VkCompositeAlphaFlagBitsKHR a :
       {VK_COMPOSITE_ALPHA_OPAQUE_BIT_KHR, VK_COMPOSITE_ALPHA_INHERIT_BIT_KHR,
        VK_COMPOSITE_ALPHA_PRE_MULTIPLIED_BIT_KHR, VK_COMPOSITE_ALPHA_POST_MULTIPLIED_BIT_KHR})
    if (caps.supportedCompositeAlpha & a) {
      info.compositeAlpha = a;
      break;
    }
  info.presentMode = present_mode_;
  info.clipped = VK_TRUE;
  info.oldSwapchain = swapchain_.handle();
  VkSwapchainKHR created = VK_NULL_HANDLE;
  const VkResult r = GT_VK_CALL(vkCreateSwapchainKHR(ctx_.device(), &info, nullptr, &created));
  // The old swapchain is retired now, even when the call failed: no image can be acquired from
  // it any more, nor may it be oldSwapchain again. The device is idle (see recreate()).
  render_done_.clear();
  images_.clear();
  swapchain_.reset();
  if (r != VK_SUCCESS) vk::fail("vkCreateSwapchainKHR", r, __FILE__, __LINE__);
  swapchain_ = vk::SwapchainHandle(ctx_.device(), created);
  ctx_.name(created, VK_OBJECT_TYPE_SWAPCHAIN_KHR, "swapchain");
  // Its images and their semaphores are kept once all are made; until then out_of_date_ stays
  // set, so a failure here makes the next acquire() recreate from this swapchain.
  std::vector<VkImage> images = enumerate<VkImage>([&](uint32_t* n, VkImage* out) {
    return vkGetSwapchainImagesKHR(ctx_.device(), created, n, out);
  });
  std::vector<vk::Semaphore> render_done;
  for (size_t i = 0; i < images.size(); ++i) {
    ctx_.name(images[i], VK_OBJECT_TYPE_IMAGE, "swapchain image[" + std::to_string(i) + "]");
    render_done.push_back(
        create_semaphore(ctx_, "swapchain render done[" + std::to_string(i) + "]"));
  }
  images_ = std::move(images);
  render_done_ = std::move(render_done);
  extent_ = extent;
  window_w_ = w;
  window_h_ = h;
  out_of_date_ = false;
}

void Swapchain::release_pending_acquire() {
  if (!acquired_) return;
  // An acquired image that will not be presented: its semaphore signal must still be waited on
  // before the semaphore is reused or destroyed, so an empty batch waits on it. No throwing here
  // (the destructor calls this); a failure means a lost device, which the next call reports.
  const VkPipelineStageFlags stage = VK_PIPELINE_STAGE_TRANSFER_BIT;  // as a presented frame waits
  VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  submit.waitSemaphoreCount = 1;
  submit.pWaitSemaphores = acquire_done_.address();
  submit.pWaitDstStageMask = &stage;
  if (vkResetFences(ctx_.device(), 1, fence_.address()) == VK_SUCCESS &&
      vkQueueSubmit(ctx_.queue(), 1, &submit, fence_.handle()) == VK_SUCCESS)
    vkWaitForFences(ctx_.device(), 1, fence_.address(), VK_TRUE, UINT64_MAX);
  acquired_ = false;
}

void Swapchain::recreate() {
  GT_VK_CHECK(vkDeviceWaitIdle(ctx_.device()));
  release_pending_acquire();
  create();
}

void Swapchain::set_vsync(bool vsync) {
  if (vsync == vsync_) return;
  vsync_ = vsync;
  recreate();
}

}  // namespace gt::render
