#pragma once
// `regions export CODE FILE`: one region's records and their history, from either store, as one
// SQLite file that another operator (a Doorstroompunt taking over, an auditor) opens with any
// SQLite tool. The gateway's own store keeps every region in one file (docs/architecture.md).
#include <filesystem>
#include <string>

#include "store/record_store.hpp"

namespace dg {

struct RegionExportResult {
    std::size_t records = 0, active = 0, history = 0;
};

// Writes FILE, mode 0600: the content is personal data (refused when it exists; written beside it and renamed when complete, so a FILE that
// exists is whole). `exported_at` (RFC 3339) goes into the file's region_export row.
RegionExportResult export_region(RecordStore& store, const std::string& region, const std::string& region_name, const std::filesystem::path& file,
                                 const std::string& exported_at);

}  // namespace dg
