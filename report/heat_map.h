#pragma once
// Heat maps of a matrix with named rows and columns, each cell's number
// printed on it and a colour bar giving the scale; the confusion matrix of a
// classifier is one (rows: true class, columns: predicted class).
#include <cstdint>
#include <string>
#include <vector>

#include "advgrad/report/figure.h"
#include "advgrad/report/raster.h"

namespace advgrad::report {

struct HeatMapOptions {
  std::string title{}, x_label{}, y_label{};
  std::string scale_label{};        // beside the colour bar
  ColorMap map = ColorMap::Blues;
  double lo = 0, hi = 0;            // the colour scale; lo == hi: the data's min and max
  int decimals = 0;                 // digits after the point of each cell's number
  bool percent = false;             // cells and scale as percentages of 1
  double cell = 0;                  // CSS px per cell side; 0: wide enough for every number (>= 36)
};
// values: rows x columns, every row the same length, all finite;
// row_names and column_names: one per row and column. Column names are turned
// 45 degrees under the matrix when they are wider than a cell. Throws
// advgrad::Error naming heat_map for a ragged or empty matrix, missing names,
// a non-finite value or an empty colour scale.
Figure heat_map(const std::vector<std::vector<double>>& values, const std::vector<std::string>& row_names,
                const std::vector<std::string>& column_names, const HeatMapOptions& options);

// counts[true][predicted] with one row and column per class (non-negative),
// on a white-to-blue scale from 0 to the largest count.
Figure confusion_matrix(const std::vector<std::vector<std::int64_t>>& counts,
                        const std::vector<std::string>& class_names, const std::string& title = "");

}  // namespace advgrad::report
