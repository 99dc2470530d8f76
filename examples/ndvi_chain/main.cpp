// A processing chain on top of libcreodias: search the catalogue for Sentinel-2 L2A
// products over an area, open their red and near-infrared bands in place with GDAL (no
// copy), compute each product's mean NDVI, and write a CSV.
//
//   creodias_ndvi_chain --db catalogue.db --bbox W,S,E,N [--cloud-max 60] [--out ndvi.csv]

#include <creodias/catalogue.hpp>
#include <creodias/error.hpp>

#include <gdal_priv.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

namespace {

// Path GDAL can open for a file of a product (directory or zip).
std::string gdal_path(const creodias::Product& p, const creodias::ProductFile& f) {
    const std::string& root = p.path;
    if (root.size() > 4 && root.compare(root.size() - 4, 4, ".zip") == 0) return "/vsizip/" + root + "/" + f.path;
    return root + "/" + f.path;
}

// Reads one band at reduced resolution (GDAL picks overviews/JPEG2000 levels).
std::vector<float> read_band(const std::string& path, int size) {
    GDALDataset* ds = static_cast<GDALDataset*>(GDALOpen(path.c_str(), GA_ReadOnly));
    if (!ds) throw std::runtime_error("cannot open " + path);
    std::vector<float> buf(static_cast<size_t>(size) * size);
    CPLErr e = ds->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, ds->GetRasterXSize(), ds->GetRasterYSize(), buf.data(),
                                              size, size, GDT_Float32, 0, 0);
    GDALClose(ds);
    if (e != CE_None) throw std::runtime_error("cannot read " + path);
    return buf;
}

const creodias::ProductFile* band(const creodias::Product& p, const char* name) {
    for (const auto& f : p.files)
        if (f.band == name && (f.path.find("10m") != std::string::npos || f.path.find("R10m") != std::string::npos ||
                               f.path.find("IMG_DATA") != std::string::npos))
            return &f;
    for (const auto& f : p.files)
        if (f.band == name) return &f;
    return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
    std::string db, bbox, out = "ndvi.csv";
    double cloud_max = 100;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string k = argv[i];
        if (k == "--db") db = argv[i + 1];
        else if (k == "--bbox") bbox = argv[i + 1];
        else if (k == "--out") out = argv[i + 1];
        else if (k == "--cloud-max") cloud_max = std::stod(argv[i + 1]);
    }
    if (db.empty() || bbox.empty()) {
        std::fprintf(stderr, "usage: %s --db PATH --bbox W,S,E,N [--cloud-max PCT] [--out FILE]\n", argv[0]);
        return 2;
    }
    try {
        GDALAllRegister();
        creodias::Catalogue cat(db);
        creodias::Query q;
        q.product_types = {"S2MSI2A"};
        q.aoi = creodias::Geometry::from_bbox(creodias::BBox::parse(bbox));
        q.cloud_max = cloud_max;
        q.limit = 1000;
        std::ofstream csv(out);
        csv << "name,sensing_start,cloud_cover,mean_ndvi,valid_pixels\n";
        int done = 0;
        for (const auto& p : cat.search(q).products) {
            const auto* red = band(p, "B04");
            const auto* nir = band(p, "B08");
            if (!red || !nir) continue;
            const int n = 128;
            auto r = read_band(gdal_path(p, *red), n);
            auto v = read_band(gdal_path(p, *nir), n);
            // Baseline 04.00+ stores reflectance as DN with an offset of -1000.
            const double offset = p.processing_baseline >= "04.00" ? -1000.0 : 0.0;
            double sum = 0;
            long valid = 0;
            for (size_t k = 0; k < r.size(); ++k) {
                if (r[k] <= 0 || v[k] <= 0) continue;  // nodata
                double rr = (r[k] + offset) / 10000.0, nn = (v[k] + offset) / 10000.0;
                if (rr + nn <= 0) continue;
                sum += (nn - rr) / (nn + rr);
                ++valid;
            }
            csv << p.name << ',' << creodias::format_datetime(p.sensing_start) << ','
                << (p.cloud_cover ? std::to_string(*p.cloud_cover) : "") << ','
                << (valid ? std::to_string(sum / static_cast<double>(valid)) : "") << ',' << valid << '\n';
            ++done;
        }
        std::printf("wrote %s (%d products)\n", out.c_str(), done);
        return 0;
    } catch (const creodias::InvalidArgument& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
}
