// Uses the installed library: creates a catalogue, stores a product, finds it again.
#include <creodias/catalogue.hpp>
#include <creodias/error.hpp>
#include <creodias/formats.hpp>
#include <creodias/version.hpp>

#include <cstdio>
#include <filesystem>

int main(int argc, char** argv) {
    if (argc != 2) return 2;
    std::filesystem::remove(argv[1]);
    creodias::Catalogue cat(argv[1]);
    creodias::Product p;
    p.name = "S2A_MSIL2A_20240601T100000_N0510_R122_T33UWP_20240601T120000.SAFE";
    p.collection = "Sentinel2";
    p.product_type = "S2MSI2A";
    p.sensing_start = creodias::parse_datetime("2024-06-01T10:00:00Z");
    p.sensing_end = p.sensing_start;
    p.footprint = creodias::Geometry::from_bbox(creodias::BBox::parse("14,49,15.5,50"));
    cat.upsert({p});
    creodias::Query q;
    q.aoi = creodias::Geometry::point(14.5, 49.5);
    auto page = cat.search(q);
    if (page.products.size() != 1 || page.products[0].collection != "SENTINEL-2") return 1;
    try {
        q.cloud_max = 101;
        cat.search(q);
        return 1;
    } catch (const creodias::InvalidArgument&) {
    }
    std::printf("consumer OK with libcreodias %s: %s\n", creodias::version(),
                creodias::to_stac_item(page.products[0]).substr(0, 60).c_str());
    return 0;
}
