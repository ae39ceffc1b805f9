// The cache's sealing of confidential values and its key file.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <set>
#include <vector>

#include "cache_test_support.hpp"
#include "drivers/cache/secret_box.hpp"

namespace runner::cache {
namespace {

using testing::temp_dir;

secret_key test_key(unsigned char fill) {
  std::array<unsigned char, secret_key_bytes> b{};
  b.fill(fill);
  b[0] = 0x42;
  return secret_key(b);
}

TEST(CacheSecretBox, SealThenOpen) {
  secret_key k = test_key(7);
  std::string aad = binding("key-1", "token");
  seal_result s = seal(k, "hunter2-plaintext", aad);
  ASSERT_TRUE(s.ok) << s.error;
  EXPECT_EQ(s.sealed.size(), sealed_overhead + 17);
  EXPECT_EQ(static_cast<unsigned char>(s.sealed[0]), sealed_version);
  EXPECT_EQ(s.sealed.find("hunter2"), std::string::npos);
  unseal_result o = open_sealed(k, s.sealed, aad);
  ASSERT_TRUE(o.ok) << o.error;
  EXPECT_EQ(o.plaintext, "hunter2-plaintext");

  // A fresh nonce each time: equal values do not give equal ciphertexts.
  seal_result s2 = seal(k, "hunter2-plaintext", aad);
  ASSERT_TRUE(s2.ok);
  EXPECT_NE(s.sealed, s2.sealed);
}

TEST(CacheSecretBox, EmptyAndBinaryValues) {
  secret_key k = test_key(1);
  std::string bin("a\0b\xff\n", 5);
  for (const std::string& v : {std::string(), bin, std::string(100000, 'x')}) {
    seal_result s = seal(k, v, "aad");
    ASSERT_TRUE(s.ok) << s.error;
    unseal_result o = open_sealed(k, s.sealed, "aad");
    ASSERT_TRUE(o.ok) << o.error;
    EXPECT_EQ(o.plaintext, v);
  }
}

TEST(CacheSecretBox, EveryAlteredByteIsRefused) {
  secret_key k = test_key(3);
  std::string aad = binding("k", "out");
  seal_result s = seal(k, "secret", aad);
  ASSERT_TRUE(s.ok);
  for (size_t i = 0; i < s.sealed.size(); ++i) {
    std::string t = s.sealed;
    t[i] = static_cast<char>(t[i] ^ 0x01);
    unseal_result o = open_sealed(k, t, aad);
    EXPECT_FALSE(o.ok) << "byte " << i;
    EXPECT_TRUE(o.plaintext.empty());
    EXPECT_FALSE(o.error.empty());
    EXPECT_EQ(o.error.find("secret"), std::string::npos);
  }
}

TEST(CacheSecretBox, TruncatedOrExtendedIsRefused) {
  secret_key k = test_key(3);
  seal_result s = seal(k, "secret", "aad");
  ASSERT_TRUE(s.ok);
  for (size_t n = 0; n < s.sealed.size(); ++n) {
    unseal_result o = open_sealed(k, s.sealed.substr(0, n), "aad");
    EXPECT_FALSE(o.ok) << n;
    EXPECT_TRUE(o.plaintext.empty());
  }
  EXPECT_FALSE(open_sealed(k, s.sealed + "x", "aad").ok);
  EXPECT_NE(open_sealed(k, "x", "aad").error.find("truncated"), std::string::npos);
}

TEST(CacheSecretBox, OtherKeyOrOtherBindingIsRefused) {
  secret_key k = test_key(3);
  seal_result s = seal(k, "secret", binding("entry-a", "token"));
  ASSERT_TRUE(s.ok);
  EXPECT_FALSE(open_sealed(test_key(4), s.sealed, binding("entry-a", "token")).ok);
  EXPECT_FALSE(open_sealed(k, s.sealed, binding("entry-b", "token")).ok);
  EXPECT_FALSE(open_sealed(k, s.sealed, binding("entry-a", "other")).ok);
  EXPECT_TRUE(open_sealed(k, s.sealed, binding("entry-a", "token")).ok);
}

TEST(CacheSecretBox, UnknownVersionIsRefused) {
  secret_key k = test_key(3);
  seal_result s = seal(k, "secret", "aad");
  ASSERT_TRUE(s.ok);
  s.sealed[0] = 9;
  unseal_result o = open_sealed(k, s.sealed, "aad");
  EXPECT_FALSE(o.ok);
  EXPECT_NE(o.error.find("version 9"), std::string::npos) << o.error;
}

TEST(CacheSecretBox, BindingIsUnambiguous) {
  EXPECT_NE(binding("ab", "c"), binding("a", "bc"));
  EXPECT_NE(binding("", "x"), binding("x", ""));
  EXPECT_EQ(binding("a", "b"), binding("a", "b"));
}

TEST(CacheKeyFile, CreatedOwnerOnlyAndReused) {
  temp_dir d;
  std::string path = d / "cache.key";
  mode_t old = umask(0);  // the mode must not depend on the umask
  key_result a = load_or_create_key(path);
  umask(old);
  ASSERT_TRUE(a.ok) << a.error;
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(st.st_size, static_cast<off_t>(secret_key_bytes));
  key_result b = load_or_create_key(path);
  ASSERT_TRUE(b.ok) << b.error;
  EXPECT_TRUE(a.key == b.key);
  // Nothing but the key is left behind (no temporary files).
  size_t files = 0;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(d.path())) ++files;
  EXPECT_EQ(files, 1u);
}

TEST(CacheKeyFile, WrongSizeIsAClearError) {
  temp_dir d;
  std::string path = d / "cache.key";
  for (size_t n : {0, 5, 31, 33, 64}) {
    testing::write_file(path, std::string(n, 'k'));
    chmod(path.c_str(), 0600);
    key_result r = load_or_create_key(path);
    EXPECT_FALSE(r.ok) << n;
    EXPECT_NE(r.error.find(path), std::string::npos) << r.error;
    EXPECT_NE(r.error.find(std::to_string(n) + " bytes"), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("remove"), std::string::npos) << r.error;
  }
}

TEST(CacheKeyFile, GroupOrWorldAccessIsRefused) {
  temp_dir d;
  std::string path = d / "cache.key";
  ASSERT_TRUE(load_or_create_key(path).ok);
  for (mode_t m : {0644, 0640, 0604, 0660, 0606}) {
    chmod(path.c_str(), m);
    key_result r = load_or_create_key(path);
    EXPECT_FALSE(r.ok) << std::oct << m;
    EXPECT_NE(r.error.find("chmod 600"), std::string::npos) << r.error;
  }
  chmod(path.c_str(), 0600);
  EXPECT_TRUE(load_or_create_key(path).ok);
}

TEST(CacheKeyFile, SymbolicLinkOrDirectoryIsRefused) {
  temp_dir d;
  std::string target = d / "elsewhere";
  ASSERT_TRUE(load_or_create_key(target).ok);
  std::string link = d / "cache.key";
  ASSERT_EQ(symlink(target.c_str(), link.c_str()), 0);
  key_result r = load_or_create_key(link);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("symbolic link"), std::string::npos) << r.error;

  std::string dir = d / "dir.key";
  ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
  r = load_or_create_key(dir);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("not a regular file"), std::string::npos) << r.error;
}

TEST(CacheKeyFile, MissingDirectoryIsAnError) {
  temp_dir d;
  key_result r = load_or_create_key(d / "no/such/dir/cache.key");
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.error.empty());
}

// Several processes create the key at once: one wins, all end up with its key.
TEST(CacheKeyFile, RacingProcessesShareOneKey) {
  for (int round = 0; round < 5; ++round) {
    temp_dir d;
    std::string path = d / "cache.key";
    constexpr int n = 8;
    testing::start_barrier barrier;
    std::vector<pid_t> pids;
    std::vector<int> result_fds;
    for (int i = 0; i < n; ++i) {
      int fds[2];
      ASSERT_EQ(pipe(fds), 0);
      pid_t pid = fork();
      ASSERT_GE(pid, 0);
      if (pid == 0) {
        close(fds[0]);
        barrier.wait_in_child();
        key_result k = load_or_create_key(path);
        if (!k.ok) _exit(1);
        ssize_t w = write(fds[1], k.key.data(), secret_key_bytes);
        _exit(w == static_cast<ssize_t>(secret_key_bytes) ? 0 : 2);
      }
      close(fds[1]);
      pids.push_back(pid);
      result_fds.push_back(fds[0]);
    }
    barrier.release();
    std::set<std::string> keys;
    for (int i = 0; i < n; ++i) {
      std::string got;
      char buf[64];
      ssize_t r;
      while ((r = read(result_fds[i], buf, sizeof buf)) > 0) got.append(buf, static_cast<size_t>(r));
      close(result_fds[i]);
      EXPECT_EQ(testing::wait_child(pids[i]), 0) << "child " << i;
      EXPECT_EQ(got.size(), secret_key_bytes);
      keys.insert(got);
    }
    EXPECT_EQ(keys.size(), 1u);
    key_result mine = load_or_create_key(path);
    ASSERT_TRUE(mine.ok) << mine.error;
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(mine.key.data()), secret_key_bytes),
              *keys.begin());
    size_t files = 0;
    for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(d.path())) ++files;
    EXPECT_EQ(files, 1u);
  }
}

}  // namespace
}  // namespace runner::cache
