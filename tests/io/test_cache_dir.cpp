// The cache root follows ADVGRAD_CACHE_DIR, then the XDG rule, then HOME.
#include <gtest/gtest.h>

#include "advgrad/io/cache_dir.h"
#include "expect_error.h"
#include "testing.h"

namespace advgrad::io {
namespace {

using testing::EnvScope;

TEST(CacheDir, OwnVariableThenXdgThenHome) {
  EnvScope home("HOME", "/home/ada");
  EnvScope xdg("XDG_CACHE_HOME", nullptr);
  EnvScope own("ADVGRAD_CACHE_DIR", nullptr);
  EXPECT_EQ(cache_dir(), "/home/ada/.cache/advgrad");
  {
    EnvScope set_xdg("XDG_CACHE_HOME", "/var/cache/ada");
    EXPECT_EQ(cache_dir(), "/var/cache/ada/advgrad");
    EnvScope set_own("ADVGRAD_CACHE_DIR", "/data/advgrad-cache");
    EXPECT_EQ(cache_path("photos"), "/data/advgrad-cache/photos");
  }
  EnvScope empty_xdg("XDG_CACHE_HOME", "");  // empty counts as unset (the XDG rule)
  EXPECT_EQ(cache_path("pretrained"), "/home/ada/.cache/advgrad/pretrained");
}

TEST(CacheDir, NoVariableIsAClearError) {
  EnvScope home("HOME", nullptr);
  EnvScope xdg("XDG_CACHE_HOME", nullptr);
  EnvScope own("ADVGRAD_CACHE_DIR", nullptr);
  testing::expect_error([] { (void)cache_dir(); }, {"no cache", "set ADVGRAD_CACHE_DIR"});
}

}  // namespace
}  // namespace advgrad::io
