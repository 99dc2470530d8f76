#pragma once
// Private: streaming digests by name — MD5, SHA1, SHA256, SHA512, SHA3-256 through OpenSSL,
// BLAKE3 (not in OpenSSL 3.0 or Debian's C libraries) implemented here from its
// specification — and the S3 ETag of a multipart upload.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace creodias::detail {

// Canonical name for a checksum algorithm as providers spell it ("md5", "SHA-256",
// "sha256", "Blake3", "SHA3_256"); nullopt for algorithms not supported.
std::optional<std::string> canonical_digest_name(std::string_view algorithm);

class Digest {
public:
    // `algorithm` as canonical_digest_name accepts. Throws InvalidArgument otherwise.
    explicit Digest(std::string_view algorithm);
    ~Digest();
    Digest(Digest&&) noexcept;
    Digest& operator=(Digest&&) noexcept;

    void update(const void* data, std::size_t size);
    // Lower-case hex of the digest; the object is then reset for a new message.
    std::string hex_final();
    const std::string& name() const noexcept { return name_; }

private:
    struct Impl;
    std::string name_;
    std::unique_ptr<Impl> impl_;
};

// "0a1b..." -> the bytes it spells (lower- or upper-case hex; an odd last digit is ignored).
std::string bytes_from_hex(std::string_view hex);

// One-shot helpers.
std::string hex_digest(std::string_view algorithm, std::string_view data);

// The ETag S3 gives an object uploaded in parts: the MD5 of the concatenated binary MD5s of
// the parts, then "-" and the number of parts. Feed the object in order.
class MultipartEtag {
public:
    explicit MultipartEtag(std::uint64_t part_size);
    void update(const char* data, std::size_t size);
    std::string final();  // "<hex>-<parts>"
    std::uint64_t part_size() const noexcept { return part_size_; }

private:
    std::uint64_t part_size_;
    std::uint64_t in_part_ = 0;
    int parts_ = 0;
    Digest part_{"MD5"};
    std::string md5s_;  // binary MD5s of the finished parts
};

}  // namespace creodias::detail
