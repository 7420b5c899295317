// Fuzz target: the region table import (DUO's CSV layout, ';' or ',').
#include "core/json_util.hpp"
#include "routing/region_table.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        const auto r = dg::RegionTable::parse({reinterpret_cast<const char*>(data), size});
        // What an import keeps reads back to the same table.
        const auto again = dg::RegionTable::parse(r.table->to_csv());
        if (again.table->gemeente_count() != r.table->gemeente_count()) __builtin_trap();
    } catch (const dg::FileError&) {
        // a refused layout, named in the error: fine
    }
    return 0;
}
