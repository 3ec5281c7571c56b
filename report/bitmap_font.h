#pragma once
// A built-in 5x7 bitmap font (designed for this project) for labels in figures,
// so that writing a PNG with text needs no font files. Every printable ASCII
// character 32..126 has a glyph; a glyph cell is 5 columns by 8 rows (row 7 is
// for the descenders of g, j, p, q, y) and characters advance by 6 columns.
// Anything else (control characters, each byte of a UTF-8 sequence) is drawn
// as a box, so a missing glyph is visible instead of silently dropped.
#include <string>

#include "advgrad/report/png_image.h"

namespace advgrad::report {

// Size of `text` drawn at `scale` (each font pixel a scale x scale block):
// 6 * scale per character, less the trailing gap; 0 for an empty string.
// Throws advgrad::Error when scale < 1.
int text_width(const std::string& text, int scale = 1);
int text_height(int scale = 1);  // 8 * scale
// Draws `text` with its top-left corner at (x, y); clipped at the canvas edge.
void draw_text(Image& image, int x, int y, const std::string& text, Rgb color, int scale = 1);

}  // namespace advgrad::report
