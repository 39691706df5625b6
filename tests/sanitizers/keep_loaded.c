/* Preloaded by tools/sanitize.sh into the tests: dlclose() leaves libraries loaded. The Vulkan
 * loader unloads the driver (lavapipe) and the validation layer when the instance goes, before
 * LeakSanitizer's exit-time check; memory they still held then shows as leaked from
 * "<unknown module>", which no suppression can name. Kept loaded, their globals still reach it
 * and the stacks of anything they do leak name the library. */
int dlclose(void* handle) {
  (void)handle;
  return 0;
}
