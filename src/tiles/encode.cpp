// Image encoders: PNG through libspng (deflate level 1 and the SUB filter by default, the
// fast setting for noisy satellite imagery), JPEG through libjpeg-turbo, WebP through
// libwebp, and Float32 GeoTIFF through GDAL.
#include <creodias/error.hpp>
#include <creodias/image.hpp>

#include "core/strings.hpp"
#include "tiles/gdal_util.hpp"

#include <fmt/format.h>

#include <cpl_conv.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <ogr_srs_api.h>

#include <algorithm>
#include <atomic>
#include <csetjmp>
#include <cstdio>
#include <cmath>
#include <memory>

#include <jpeglib.h>
#include <spng.h>
#include <webp/encode.h>

namespace creodias {
namespace {

constexpr const char* kOrigin = "encode";

std::string encode_png(const Image& img, const EncodeOptions& o) {
    std::unique_ptr<spng_ctx, decltype(&spng_ctx_free)> ctx(spng_ctx_new(SPNG_CTX_ENCODER), spng_ctx_free);
    if (!ctx) throw Error(Errc::internal, kOrigin, "spng_ctx_new failed");
    spng_set_option(ctx.get(), SPNG_ENCODE_TO_BUFFER, 1);
    spng_set_option(ctx.get(), SPNG_IMG_COMPRESSION_LEVEL, std::clamp(o.png_level, 0, 9));
    spng_set_option(ctx.get(), SPNG_FILTER_CHOICE, o.png_level >= 6 ? SPNG_FILTER_CHOICE_ALL : SPNG_FILTER_CHOICE_SUB);
    const bool opaque = img.opaque();
    spng_ihdr ihdr{};
    ihdr.width = static_cast<std::uint32_t>(img.width);
    ihdr.height = static_cast<std::uint32_t>(img.height);
    ihdr.bit_depth = 8;
    ihdr.color_type = opaque ? SPNG_COLOR_TYPE_TRUECOLOR : SPNG_COLOR_TYPE_TRUECOLOR_ALPHA;
    spng_set_ihdr(ctx.get(), &ihdr);
    std::vector<std::uint8_t> rgb;
    const void* data = img.rgba.data();
    std::size_t size = img.rgba.size();
    if (opaque) {
        rgb.resize(static_cast<std::size_t>(img.width) * static_cast<std::size_t>(img.height) * 3);
        for (std::size_t i = 0, j = 0; i < img.rgba.size(); i += 4, j += 3) {
            rgb[j] = img.rgba[i];
            rgb[j + 1] = img.rgba[i + 1];
            rgb[j + 2] = img.rgba[i + 2];
        }
        data = rgb.data();
        size = rgb.size();
    }
    int rc = spng_encode_image(ctx.get(), data, size, SPNG_FMT_PNG, SPNG_ENCODE_FINALIZE);
    if (rc) throw Error(Errc::internal, kOrigin, fmt::format("PNG encoding failed: {}", spng_strerror(rc)));
    std::size_t len = 0;
    int err = 0;
    void* buf = spng_get_png_buffer(ctx.get(), &len, &err);
    if (!buf || err) throw Error(Errc::internal, kOrigin, fmt::format("PNG encoding failed: {}", spng_strerror(err)));
    std::string out(static_cast<const char*>(buf), len);
    std::free(buf);
    return out;
}

struct JpegError {
    jpeg_error_mgr mgr;
    std::jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
};

void jpeg_fail(j_common_ptr cinfo) {
    auto* e = reinterpret_cast<JpegError*>(cinfo->err);
    (*cinfo->err->format_message)(cinfo, e->message);
    std::longjmp(e->jump, 1);
}

std::string encode_jpeg(const Image& img, const EncodeOptions& o) {
    // Blend onto the background first: nothing below may throw while libjpeg holds state.
    std::vector<std::uint8_t> rgb(static_cast<std::size_t>(img.width) * static_cast<std::size_t>(img.height) * 3);
    for (std::size_t i = 0, j = 0; i < img.rgba.size(); i += 4, j += 3) {
        const unsigned a = img.rgba[i + 3];
        for (int c = 0; c < 3; ++c)
            rgb[j + static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(
                (img.rgba[i + static_cast<std::size_t>(c)] * a + o.background[c] * (255 - a) + 127) / 255);
    }
    jpeg_compress_struct cinfo{};
    JpegError err{};
    cinfo.err = jpeg_std_error(&err.mgr);
    err.mgr.error_exit = jpeg_fail;
    unsigned char* buf = nullptr;
    unsigned long len = 0;
    if (setjmp(err.jump)) {
        jpeg_destroy_compress(&cinfo);
        std::free(buf);
        throw Error(Errc::internal, kOrigin, fmt::format("JPEG encoding failed: {}", err.message));
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, &buf, &len);
    cinfo.image_width = static_cast<JDIMENSION>(img.width);
    cinfo.image_height = static_cast<JDIMENSION>(img.height);
    cinfo.input_components = 3;
    cinfo.in_color_space = JCS_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, std::clamp(o.quality, 1, 100), TRUE);
    cinfo.dct_method = JDCT_ISLOW;
    jpeg_start_compress(&cinfo, TRUE);
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = rgb.data() + static_cast<std::size_t>(cinfo.next_scanline) * static_cast<std::size_t>(img.width) * 3;
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    std::string out(reinterpret_cast<const char*>(buf), len);
    std::free(buf);
    return out;
}

std::string encode_webp(const Image& img, const EncodeOptions& o) {
    std::uint8_t* out = nullptr;
    std::size_t len = o.webp_lossless
                          ? WebPEncodeLosslessRGBA(img.rgba.data(), img.width, img.height, img.width * 4, &out)
                          : WebPEncodeRGBA(img.rgba.data(), img.width, img.height, img.width * 4,
                                           static_cast<float>(std::clamp(o.quality, 1, 100)), &out);
    if (!len || !out) throw Error(Errc::internal, kOrigin, "WebP encoding failed");
    std::string s(reinterpret_cast<const char*>(out), len);
    WebPFree(out);
    return s;
}

}  // namespace

ImageFormat parse_image_format(std::string_view text) {
    std::string t = detail::to_lower(detail::trim(text));
    if (auto semi = t.find(';'); semi != std::string::npos) {
        std::string params = t.substr(semi);
        t = std::string(detail::trim(std::string_view(t).substr(0, semi)));
        if (t == "image/tiff" && params.find("geotiff") != std::string::npos) return ImageFormat::geotiff;
    }
    if (t == "png" || t == "image/png" || t == "png8" || t == "png32") return ImageFormat::png;
    if (t == "jpg" || t == "jpeg" || t == "image/jpeg" || t == "image/jpg") return ImageFormat::jpeg;
    if (t == "webp" || t == "image/webp") return ImageFormat::webp;
    if (t == "tif" || t == "tiff" || t == "geotiff" || t == "image/tiff" || t == "image/geotiff" ||
        t == "application/geotiff")
        return ImageFormat::geotiff;
    throw InvalidArgument(kOrigin, fmt::format("unsupported image format '{}' (png, jpeg, webp, geotiff)",
                                               detail::trim(text)));
}

std::string_view media_type(ImageFormat f) noexcept {
    switch (f) {
        case ImageFormat::png: return "image/png";
        case ImageFormat::jpeg: return "image/jpeg";
        case ImageFormat::webp: return "image/webp";
        case ImageFormat::geotiff: return "image/tiff";
    }
    return "application/octet-stream";
}

std::string_view extension(ImageFormat f) noexcept {
    switch (f) {
        case ImageFormat::png: return "png";
        case ImageFormat::jpeg: return "jpg";
        case ImageFormat::webp: return "webp";
        case ImageFormat::geotiff: return "tif";
    }
    return "bin";
}

bool Image::opaque() const noexcept {
    for (std::size_t i = 3; i < rgba.size(); i += 4)
        if (rgba[i] != 255) return false;
    return true;
}

bool Image::empty() const noexcept {
    for (std::size_t i = 3; i < rgba.size(); i += 4)
        if (rgba[i] != 0) return false;
    return true;
}

const std::vector<float>* RasterBlock::band(std::string_view name) const noexcept {
    for (std::size_t i = 0; i < names.size(); ++i)
        if (detail::iequals(names[i], name)) return &bands[i];
    return nullptr;
}

double RasterBlock::coverage() const noexcept {
    if (mask.empty()) return 0;
    std::size_t n = 0;
    for (auto m : mask) n += m != 0;
    return static_cast<double>(n) / static_cast<double>(mask.size());
}

std::string encode(const Image& image, ImageFormat format, const EncodeOptions& options) {
    if (image.width <= 0 || image.height <= 0 ||
        image.rgba.size() != static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height) * 4)
        throw InvalidArgument(kOrigin, "empty or inconsistent image");
    switch (format) {
        case ImageFormat::png: return encode_png(image, options);
        case ImageFormat::jpeg: return encode_jpeg(image, options);
        case ImageFormat::webp: return encode_webp(image, options);
        case ImageFormat::geotiff: break;
    }
    throw InvalidArgument(kOrigin, "a rendered image cannot be written as GeoTIFF; request raw bands instead");
}

std::string encode_geotiff(const RasterBlock& block) {
    if (block.width <= 0 || block.height <= 0 || block.bands.empty())
        throw InvalidArgument(kOrigin, "no bands to write");
    detail::GdalErrorCapture capture;
    GDALDriverH mem = GDALGetDriverByName("MEM");
    GDALDriverH gtiff = GDALGetDriverByName("GTiff");
    if (!mem || !gtiff) throw Error(Errc::unsupported, "gdal", "GDAL lacks the MEM or GTiff driver");
    detail::DatasetPtr ds(GDALCreate(mem, "", block.width, block.height, static_cast<int>(block.bands.size()),
                                     GDT_Float32, nullptr));
    if (!ds) throw capture.error("MEM dataset");
    double gt[6] = {block.extent.min_x, block.extent.width() / block.width, 0, block.extent.max_y, 0,
                    -block.extent.height() / block.height};
    GDALSetGeoTransform(ds.get(), gt);
    std::string wkt = detail::crs_to_wkt(block.crs);
    GDALSetProjection(ds.get(), wkt.c_str());
    for (std::size_t b = 0; b < block.bands.size(); ++b) {
        GDALRasterBandH band = GDALGetRasterBand(ds.get(), static_cast<int>(b) + 1);
        GDALSetRasterNoDataValue(band, std::nan(""));
        if (b < block.names.size()) GDALSetDescription(band, block.names[b].c_str());
        if (GDALRasterIO(band, GF_Write, 0, 0, block.width, block.height, const_cast<float*>(block.bands[b].data()),
                         block.width, block.height, GDT_Float32, 0, 0) != CE_None)
            throw capture.error("write band");
    }
    static std::atomic<unsigned long> counter{0};
    const std::string path = fmt::format("/vsimem/creodias_geotiff_{}.tif", counter++);
    const char* opts[] = {"TILED=YES", "COMPRESS=DEFLATE", "PREDICTOR=3", "ZLEVEL=1", nullptr};
    detail::DatasetPtr out(GDALCreateCopy(gtiff, path.c_str(), ds.get(), FALSE, const_cast<char**>(opts), nullptr, nullptr));
    if (!out) throw capture.error("GeoTIFF");
    out.reset();
    vsi_l_offset len = 0;
    GByte* bytes = VSIGetMemFileBuffer(path.c_str(), &len, TRUE);
    std::string s(reinterpret_cast<const char*>(bytes), static_cast<std::size_t>(len));
    CPLFree(bytes);
    return s;
}

Image decode_png(std::string_view data) {
    std::unique_ptr<spng_ctx, decltype(&spng_ctx_free)> ctx(spng_ctx_new(0), spng_ctx_free);
    if (!ctx) throw Error(Errc::internal, kOrigin, "spng_ctx_new failed");
    spng_set_png_buffer(ctx.get(), data.data(), data.size());
    spng_ihdr ihdr{};
    if (int rc = spng_get_ihdr(ctx.get(), &ihdr))
        throw InvalidArgument(kOrigin, fmt::format("not a PNG: {}", spng_strerror(rc)));
    if (ihdr.width > 16384 || ihdr.height > 16384) throw InvalidArgument(kOrigin, "PNG larger than 16384 pixels");
    std::size_t size = 0;
    spng_decoded_image_size(ctx.get(), SPNG_FMT_RGBA8, &size);
    Image img(static_cast<int>(ihdr.width), static_cast<int>(ihdr.height));
    if (size != img.rgba.size()) throw InvalidArgument(kOrigin, "unexpected PNG size");
    if (int rc = spng_decode_image(ctx.get(), img.rgba.data(), size, SPNG_FMT_RGBA8, SPNG_DECODE_TRNS))
        throw InvalidArgument(kOrigin, fmt::format("PNG decoding failed: {}", spng_strerror(rc)));
    return img;
}

}  // namespace creodias
