#pragma once
/// @file formats.hpp
/// Output documents: GeoJSON FeatureCollections with CREODIAS OpenSearch (resto) property
/// names, and STAC 1.1 Items / ItemCollections. See docs/formats.md for the field mapping.

#include <creodias/export.hpp>
#include <creodias/product.hpp>
#include <creodias/query.hpp>

#include <string>
#include <vector>

namespace creodias {

/// Options for document output.
struct FormatOptions {
    /// Base URL for download links (services.download.url = base + id); empty = the
    /// product path as a file:// URL.  DEFAULT: ""
    std::string download_base_url;
    /// Indent JSON by this many spaces; -1 = compact.  DEFAULT: -1
    int indent = -1;
    /// Include the per-file asset list.  DEFAULT: true
    bool include_files = true;
};

/// One product as a resto OpenSearch Feature (properties: collection, title,
/// productIdentifier, productType, processingLevel, platform, instrument, sensorMode,
/// startDate, completionDate, published, updated, cloudCover, orbitNumber,
/// relativeOrbitNumber, orbitDirection, tileId, polarisation, processingBaseline, status,
/// services.download).
CREODIAS_EXPORT std::string to_resto_feature(const Product& p, const FormatOptions& o = {});

/// A page as a resto FeatureCollection: properties.totalResults / exactCount / itemsPerPage
/// and a `next` link carrying the cursor.
CREODIAS_EXPORT std::string to_resto_feature_collection(const Page& page, const FormatOptions& o = {});

/// One product as a STAC 1.1 Item (eo, sat, sar, grid, processing, product, file extensions).
CREODIAS_EXPORT std::string to_stac_item(const Product& p, const FormatOptions& o = {});

/// A page as a STAC ItemCollection (numberMatched/numberReturned, `next` link with cursor).
CREODIAS_EXPORT std::string to_stac_item_collection(const Page& page, const FormatOptions& o = {});

/// STAC bbox [west, south, east, north] of a footprint; west > east when the footprint was
/// split at the antimeridian.
CREODIAS_EXPORT BBox stac_bbox(const Geometry& footprint);

}  // namespace creodias
