// Umbrella header of the reluregions core: header-only C++17, no Python.
#pragma once
#include "control.hpp"
#include "interval_engine.hpp"
#include "layer_map.hpp"
#include "layerwise.hpp"
#include "linear_merge.hpp"
#include "network.hpp"
#include "pattern.hpp"
#include "polygon.hpp"
#include "polygon_engine.hpp"
#include "results.hpp"
#include "tolerances.hpp"
