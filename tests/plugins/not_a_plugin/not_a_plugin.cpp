// An ordinary shared library: loadable, but with no shoprules entry.
extern "C" __attribute__((visibility("default"))) int not_a_plugin_answer() {
  return 42;
}
