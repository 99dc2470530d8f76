// Digests: OpenSSL EVP for the SHA and MD5 families; BLAKE3 written from the BLAKE3
// specification (portable, single-threaded: compression function, chunk chaining, and the
// binary tree of parent nodes kept as a stack of chaining values).

#include "access/digest.hpp"

#include <creodias/error.hpp>

#include "core/strings.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

namespace creodias::detail {

namespace {

std::string to_hex(const unsigned char* p, std::size_t n) {
    static const char* hex = "0123456789abcdef";
    std::string out(2 * n, '0');
    for (std::size_t k = 0; k < n; ++k) {
        out[2 * k] = hex[p[k] >> 4];
        out[2 * k + 1] = hex[p[k] & 15];
    }
    return out;
}

// ---- BLAKE3 ---------------------------------------------------------------------------

constexpr std::array<std::uint32_t, 8> kIv = {0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A,
                                              0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19};
constexpr std::array<int, 16> kPermutation = {2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8};
constexpr std::uint32_t kChunkStart = 1, kChunkEnd = 2, kParent = 4, kRoot = 8;
constexpr std::size_t kBlockLen = 64, kChunkLen = 1024;

using Words8 = std::array<std::uint32_t, 8>;
using Words16 = std::array<std::uint32_t, 16>;

inline std::uint32_t rotr(std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

inline void mix(Words16& s, int a, int b, int c, int d, std::uint32_t x, std::uint32_t y) {
    s[a] = s[a] + s[b] + x;
    s[d] = rotr(s[d] ^ s[a], 16);
    s[c] = s[c] + s[d];
    s[b] = rotr(s[b] ^ s[c], 12);
    s[a] = s[a] + s[b] + y;
    s[d] = rotr(s[d] ^ s[a], 8);
    s[c] = s[c] + s[d];
    s[b] = rotr(s[b] ^ s[c], 7);
}

Words16 compress(const Words8& cv, const Words16& block, std::uint64_t counter, std::uint32_t len,
                 std::uint32_t flags) {
    Words16 s = {cv[0], cv[1], cv[2], cv[3], cv[4], cv[5], cv[6], cv[7],
                 kIv[0], kIv[1], kIv[2], kIv[3], static_cast<std::uint32_t>(counter),
                 static_cast<std::uint32_t>(counter >> 32), len, flags};
    Words16 m = block;
    for (int round = 0; round < 7; ++round) {
        mix(s, 0, 4, 8, 12, m[0], m[1]);
        mix(s, 1, 5, 9, 13, m[2], m[3]);
        mix(s, 2, 6, 10, 14, m[4], m[5]);
        mix(s, 3, 7, 11, 15, m[6], m[7]);
        mix(s, 0, 5, 10, 15, m[8], m[9]);
        mix(s, 1, 6, 11, 12, m[10], m[11]);
        mix(s, 2, 7, 8, 13, m[12], m[13]);
        mix(s, 3, 4, 9, 14, m[14], m[15]);
        Words16 p;
        for (int k = 0; k < 16; ++k) p[k] = m[kPermutation[k]];
        m = p;
    }
    for (int k = 0; k < 8; ++k) {
        s[k] ^= s[k + 8];
        s[k + 8] ^= cv[k];
    }
    return s;
}

Words16 load_block(const unsigned char* p) {
    Words16 w{};
    for (int k = 0; k < 16; ++k)
        w[k] = static_cast<std::uint32_t>(p[4 * k]) | static_cast<std::uint32_t>(p[4 * k + 1]) << 8 |
               static_cast<std::uint32_t>(p[4 * k + 2]) << 16 | static_cast<std::uint32_t>(p[4 * k + 3]) << 24;
    return w;
}

Words8 first8(const Words16& w) { return {w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]}; }

// What a node outputs before it is known whether it is the root.
struct Node {
    Words8 cv;
    Words16 block;
    std::uint64_t counter;
    std::uint32_t len, flags;
    Words8 chaining_value() const { return first8(compress(cv, block, counter, len, flags)); }
};

Node parent(const Words8& left, const Words8& right) {
    Node n{kIv, {}, 0, kBlockLen, kParent};
    for (int k = 0; k < 8; ++k) {
        n.block[k] = left[k];
        n.block[k + 8] = right[k];
    }
    return n;
}

class Blake3 {
public:
    void update(const unsigned char* p, std::size_t n) {
        while (n) {
            if (chunk_bytes_ == kChunkLen) {  // the chunk is full and more input follows
                push_chunk(chunk_node().chaining_value());
                cv_ = kIv;
                ++chunk_counter_;
                chunk_bytes_ = 0;
                block_len_ = 0;
                blocks_done_ = 0;
            }
            if (block_len_ == kBlockLen) {  // a full block with more input after it
                cv_ = first8(compress(cv_, load_block(block_), chunk_counter_, kBlockLen, start_flag()));
                ++blocks_done_;
                block_len_ = 0;
            }
            const std::size_t take =
                std::min({n, kBlockLen - block_len_, kChunkLen - chunk_bytes_});
            std::memcpy(block_ + block_len_, p, take);
            block_len_ += take;
            chunk_bytes_ += take;
            p += take;
            n -= take;
        }
    }

    std::string hex_final() {
        Node node = chunk_node();
        for (std::size_t k = stack_.size(); k-- > 0;) node = parent(stack_[k], node.chaining_value());
        const Words16 out = compress(node.cv, node.block, 0, node.len, node.flags | kRoot);
        unsigned char bytes[32];
        for (int k = 0; k < 8; ++k)
            for (int b = 0; b < 4; ++b) bytes[4 * k + b] = static_cast<unsigned char>(out[k] >> (8 * b));
        *this = Blake3();
        return to_hex(bytes, 32);
    }

private:
    Words8 cv_ = kIv;
    unsigned char block_[kBlockLen] = {};
    std::size_t block_len_ = 0, chunk_bytes_ = 0, blocks_done_ = 0;
    std::uint64_t chunk_counter_ = 0;
    std::vector<Words8> stack_;

    std::uint32_t start_flag() const { return blocks_done_ == 0 ? kChunkStart : 0; }

    Node chunk_node() const {
        unsigned char padded[kBlockLen] = {};
        std::memcpy(padded, block_, block_len_);
        return {cv_, load_block(padded), chunk_counter_, static_cast<std::uint32_t>(block_len_),
                start_flag() | kChunkEnd};
    }

    // Merges completed subtrees: after chunk number `chunk_counter_` (0-based), as many
    // merges as trailing one bits of the new chunk count.
    void push_chunk(Words8 cv) {
        for (std::uint64_t total = chunk_counter_ + 1; (total & 1) == 0; total >>= 1) {
            cv = parent(stack_.back(), cv).chaining_value();
            stack_.pop_back();
        }
        stack_.push_back(cv);
    }
};

}  // namespace

std::optional<std::string> canonical_digest_name(std::string_view algorithm) {
    std::string a;
    for (char c : algorithm)
        if (c != '-' && c != '_' && c != ' ') a += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (a == "MD5") return "MD5";
    if (a == "SHA1") return "SHA1";
    if (a == "SHA256") return "SHA256";
    if (a == "SHA512") return "SHA512";
    if (a == "SHA3256") return "SHA3-256";
    if (a == "BLAKE3") return "BLAKE3";
    return std::nullopt;
}

struct Digest::Impl {
    EVP_MD_CTX* ctx = nullptr;
    const EVP_MD* md = nullptr;
    std::unique_ptr<Blake3> blake3;
    ~Impl() {
        if (ctx) EVP_MD_CTX_free(ctx);
    }
};

Digest::Digest(std::string_view algorithm) : impl_(std::make_unique<Impl>()) {
    auto name = canonical_digest_name(algorithm);
    if (!name) throw InvalidArgument("digest", fmt::format("unsupported checksum algorithm '{}'", algorithm));
    name_ = *name;
    if (name_ == "BLAKE3") {
        impl_->blake3 = std::make_unique<Blake3>();
        return;
    }
    impl_->md = name_ == "MD5"      ? EVP_md5()
                : name_ == "SHA1"   ? EVP_sha1()
                : name_ == "SHA256" ? EVP_sha256()
                : name_ == "SHA512" ? EVP_sha512()
                                    : EVP_sha3_256();
    impl_->ctx = EVP_MD_CTX_new();
    if (!impl_->ctx || EVP_DigestInit_ex(impl_->ctx, impl_->md, nullptr) != 1)
        throw Error(Errc::internal, "digest", "cannot initialise " + name_);
}

Digest::~Digest() = default;
Digest::Digest(Digest&&) noexcept = default;
Digest& Digest::operator=(Digest&&) noexcept = default;

void Digest::update(const void* data, std::size_t size) {
    if (impl_->blake3) {
        impl_->blake3->update(static_cast<const unsigned char*>(data), size);
    } else {
        EVP_DigestUpdate(impl_->ctx, data, size);
    }
}

std::string Digest::hex_final() {
    if (impl_->blake3) return impl_->blake3->hex_final();
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(impl_->ctx, out, &len);
    EVP_DigestInit_ex(impl_->ctx, impl_->md, nullptr);
    return to_hex(out, len);
}

std::string bytes_from_hex(std::string_view hex) {
    auto nibble = [](char c) {
        return static_cast<unsigned>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10) & 15u;
    };
    std::string out;
    out.reserve(hex.size() / 2);
    for (std::size_t k = 0; k + 1 < hex.size(); k += 2)
        out += static_cast<char>(nibble(hex[k]) << 4 | nibble(hex[k + 1]));
    return out;
}

std::string hex_digest(std::string_view algorithm, std::string_view data) {
    Digest d(algorithm);
    d.update(data.data(), data.size());
    return d.hex_final();
}

MultipartEtag::MultipartEtag(std::uint64_t part_size) : part_size_(part_size ? part_size : 1) {}

void MultipartEtag::update(const char* data, std::size_t size) {
    while (size) {
        const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(size, part_size_ - in_part_));
        part_.update(data, take);
        in_part_ += take;
        data += take;
        size -= take;
        if (in_part_ == part_size_) {
            md5s_ += bytes_from_hex(part_.hex_final());
            ++parts_;
            in_part_ = 0;
        }
    }
}

std::string MultipartEtag::final() {
    if (in_part_ > 0 || parts_ == 0) {
        md5s_ += bytes_from_hex(part_.hex_final());
        ++parts_;
        in_part_ = 0;
    }
    return fmt::format("{}-{}", hex_digest("MD5", md5s_), parts_);
}

}  // namespace creodias::detail
